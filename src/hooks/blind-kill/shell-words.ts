// A shell command's text as bash would split it, for finding what it runs: pipelines of
// simple commands, each word unquoted and with the scripts of its substitutions (`$(…)`,
// backticks, `<(…)`). What a substitution or a `bash -c` runs is split too, by the caller.
// Not a full parser: it errs towards seeing a command where bash would see one.

export interface Word {
  /** The word unquoted; a substitution is left in it as written. */
  text: string;
  /** The scripts of its `$(…)`, backticks and `<(…)`, outside single quotes. */
  scripts: string[];
}

/** One simple command's words; `pipedInto`: it reads the output of the command before it (`a | b`). */
export interface SimpleCommand {
  words: Word[];
  pipedInto: boolean;
  /** A here-document's body or a here-string (`<<< text`), given to the command on its standard input. */
  hereDoc: string | null;
  /** The scripts of substitutions in its redirections (`> >(tee log)`): they run too. */
  redirectScripts: string[];
}

/** Reserved words and `{`/`}` that may begin a command and are not its program. */
const RESERVED = new Set(["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "case", "esac", "!", "{", "}", "in", "function", "select"]);

export function splitCommands(text: string): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let words: Word[] = [];
  let word: Word | null = null;
  let pipedInto = false;
  let hereDelimiter: string | null = null;
  let hereDoc: string | null = null;
  const add = (chars: string) => {
    word ??= { text: "", scripts: [] };
    word.text += chars;
  };
  const script = (body: string, raw: string) => {
    word ??= { text: "", scripts: [] };
    word.scripts.push(body);
    word.text += raw;
  };
  const endWord = () => {
    if (word !== null) {
      if (hereDelimiter === "") hereDelimiter = word.text;
      else words.push(word);
    }
    word = null;
  };
  const endCommand = (nextPiped: boolean) => {
    endWord();
    const redirectScripts: string[] = [];
    const hereString = { text: null as string | null };
    words = withoutRedirections(words, redirectScripts, hereString);
    while (words.length > 0 && RESERVED.has(words[0]!.text) && words[0]!.scripts.length === 0) {
      // `function f { killall node; }`: the name after `function` is no program, the body is.
      if (words.shift()!.text === "function" && words.length > 0) words.shift();
    }
    if (words.length > 0 || redirectScripts.length > 0) out.push({ words, pipedInto, hereDoc: hereDoc ?? hereString.text, redirectScripts });
    words = [];
    hereDoc = null;
    pipedInto = nextPiped;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === " " || c === "\t") endWord();
    else if (c === "\n" || c === "\r") {
      endWord();
      if (hereDelimiter) {
        const body = takeHereDoc(text, i + 1, hereDelimiter);
        hereDoc = body.text;
        hereDelimiter = null;
        i = body.end - 1;
      }
      endCommand(false);
    } else if (c === "#" && word === null) {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (c === ";" || c === "(" || c === ")") endCommand(false);
    else if (c === "|") {
      if (next === "|") {
        i++;
        endCommand(false);
      } else {
        if (next === "&") i++;
        endCommand(true);
      }
    } else if (c === "&") {
      if (next === ">" || text[i - 1] === ">" || text[i - 1] === "<") add(c);
      else {
        if (next === "&") i++;
        endCommand(false);
      }
    } else if (c === "<" && next === "<" && text[i + 2] === "<") {
      // A here-string: its word follows, and no here-document begins.
      add("<<<");
      i += 2;
    } else if (c === "<" && next === "<") {
      endWord();
      i += text[i + 2] === "-" ? 2 : 1;
      hereDelimiter = "";
    } else if ((c === "<" || c === ">") && next === "(") {
      const end = closingParen(text, i + 2);
      script(text.slice(i + 2, end), text.slice(i, end + 1));
      i = end;
    } else if (c === "$" && next === "(") {
      // `$((…))` is arithmetic: nothing runs.
      const end = closingParen(text, i + 2);
      if (text[i + 2] === "(") add(text.slice(i, end + 1));
      else script(text.slice(i + 2, end), text.slice(i, end + 1));
      i = end;
    } else if (c === "`") {
      const end = closingBacktick(text, i + 1);
      script(text.slice(i + 1, end).replace(/\\([`$\\])/g, "$1"), text.slice(i, end + 1));
      i = end;
    } else if (c === "\\") {
      if (next !== undefined && next !== "\n") add(next);
      i++;
    } else if (c === "$" && next === "'") {
      const close = closingSingle(text, i + 2, true);
      add(ansiC(text.slice(i + 2, close)));
      i = close;
    } else if (c === "'") {
      const close = closingSingle(text, i + 1, false);
      add(text.slice(i + 1, close));
      i = close;
    } else if (c === '"') {
      add("");
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        const d = text[j]!;
        if (d === "\\" && j + 1 < text.length && '$`"\\\n'.includes(text[j + 1]!)) {
          if (text[j + 1] !== "\n") add(text[j + 1]!);
          j++;
        } else if (d === "$" && text[j + 1] === "(" && text[j + 2] !== "(") {
          const end = closingParen(text, j + 2);
          script(text.slice(j + 2, end), text.slice(j, end + 1));
          j = end;
        } else if (d === "`") {
          const end = closingBacktick(text, j + 1);
          script(text.slice(j + 1, end).replace(/\\([`$\\"])/g, "$1"), text.slice(j, end + 1));
          j = end;
        } else add(d);
      }
      i = j;
    } else add(c);
  }
  endCommand(false);
  return out;
}

/** `2>/dev/null`, `> out`, `2>&1`, `<<< text`: where output goes is not what runs. */
function withoutRedirections(words: readonly Word[], scripts: string[], hereString: { text: string | null }): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    // `<(…)` and `>(…)` alone are process substitutions, words of the command (`xargs -a <(pgrep x) kill`), not redirections.
    const redirect = /^[<>]\(/.test(words[i]!.text) ? null : /^[0-9]*(?:&>>?|>>?&?|>\||<<<|<>|<&?)(.*)$/s.exec(words[i]!.text);
    if (!redirect) {
      out.push(words[i]!);
      continue;
    }
    scripts.push(...words[i]!.scripts);
    const here = words[i]!.text.startsWith("<<<");
    if (here && redirect[1] !== "") hereString.text = redirect[1]!;
    if (redirect[1] === "" && i + 1 < words.length) {
      if (here) hereString.text = words[i + 1]!.text;
      scripts.push(...words[++i]!.scripts);
    }
  }
  return out;
}

/** The index of the `)` that closes a `(` just before `from`, quotes and nesting followed; the text's end when none. */
function closingParen(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") i++;
    else if (c === "'") i = closingSingle(text, i + 1, false);
    else if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return text.length;
}

function closingBacktick(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === "`") return i;
  }
  return text.length;
}

function closingSingle(text: string, from: number, escapes: boolean): number {
  for (let i = from; i < text.length; i++) {
    if (escapes && text[i] === "\\") i++;
    else if (text[i] === "'") return i;
  }
  return text.length;
}

/** The lines after a `<<WORD` up to the one that is WORD (quotes around WORD dropped). */
function takeHereDoc(text: string, from: number, delimiter: string): { text: string; end: number } {
  const lines: string[] = [];
  let at = from;
  while (at < text.length) {
    const nl = text.indexOf("\n", at);
    const line = text.slice(at, nl === -1 ? text.length : nl);
    at = nl === -1 ? text.length : nl + 1;
    if (line.replace(/^\t+/, "") === delimiter) return { text: lines.join("\n"), end: at };
    lines.push(line);
  }
  return { text: lines.join("\n"), end: text.length };
}

/** The text of a `$'…'` word as bash decodes it (printf's and `echo -e`'s escapes too): `\n`, `\t`, `\xHH`, `\NNN` (octal), `\uHHHH`, `\UHHHHHHHH`; any other `\c` is c. */
export function ansiC(text: string): string {
  const named: Record<string, string> = { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", v: "\v" };
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|0?[0-7]{1,3}|.)/g, (_, esc: string) => {
    if ((esc[0] === "x" || esc[0] === "u" || esc[0] === "U") && esc.length > 1) return String.fromCodePoint(Math.min(parseInt(esc.slice(1), 16), 0x10ffff));
    if (/^[0-7]+$/.test(esc)) return String.fromCharCode(parseInt(esc, 8) & 0xff);
    return named[esc] ?? esc;
  });
}
