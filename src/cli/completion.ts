// Shell completion and the man page, both made from the one help table (usage.ts): every
// command and every option of each, as `supervise CMD --help` prints them.

import { HELP } from "./usage.ts";

/** Each command's options, long and short, as its help lists them. */
export function optionsOf(command: string): string[] {
  const out: string[] = [];
  for (const line of HELP[command]!.options) {
    const match = /^\s*(?:(-[a-zA-Z]), )?\s*(--[a-z-]+)/.exec(line);
    if (match) out.push(...(match[1] ? [match[1]] : []), match[2]!);
  }
  return [...out, "--help"];
}

const COMMANDS = () => Object.keys(HELP);

export function completionScript(shell: string): string | null {
  if (shell === "bash") return bashScript();
  if (shell === "zsh") return `#compdef supervise\nautoload -U bashcompinit && bashcompinit\n${bashScript()}`;
  if (shell === "fish") return fishScript();
  return null;
}

function bashScript(): string {
  const cases = COMMANDS().map((c) => `    ${c}) opts="${optionsOf(c).join(" ")}" ;;`).join("\n");
  return `# supervise completion for bash: eval "$(supervise completion bash)"
_supervise() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${COMMANDS().join(" ")} --help --version" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) opts="" ;;
  esac
  # After run's "--", the rest is the command's: complete files.
  local i; for ((i = 2; i < COMP_CWORD; i++)); do [ "\${COMP_WORDS[i]}" = "--" ] && { COMPREPLY=($(compgen -f -- "$cur")); return; }; done
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -F _supervise supervise
`;
}

function fishScript(): string {
  const lines = ["# supervise completion for fish: supervise completion fish | source", "complete -c supervise -f"];
  for (const c of COMMANDS()) lines.push(`complete -c supervise -n __fish_use_subcommand -a ${c} -d ${fishQuote(HELP[c]!.about.split("\n")[0]!)}`);
  for (const c of COMMANDS()) {
    for (const option of optionsOf(c)) {
      const flag = option.startsWith("--") ? `-l ${option.slice(2)}` : `-s ${option.slice(1)}`;
      lines.push(`complete -c supervise -n "__fish_seen_subcommand_from ${c}" ${flag}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** supervise.1: the synopsis, each command with its options, example and exit status. */
export function manPage(version: string): string {
  const esc = (text: string) => text.replace(/\\/g, "\\e").replace(/^([.'])/gm, "\\&$1").replace(/-/g, "\\-");
  const out = [`.TH SUPERVISE 1 "" "supervise ${version}" "User Commands"`, ".SH NAME", "supervise \\- supervise the background commands of AI coding agents and developers", ".SH SYNOPSIS"];
  for (const help of Object.values(HELP)) for (const s of help.synopsis) out.push(`.B supervise\n${esc(s)}`, ".br");
  out.push(".SH DESCRIPTION", esc(HELP.run!.about), ".SH COMMANDS");
  for (const [name, help] of Object.entries(HELP)) {
    out.push(`.SS ${name}`, esc(help.about));
    if (help.options.length) out.push(".PP", ".nf", ...help.options.map(esc), ".fi");
    out.push(".PP", `Example: ${esc(help.example)}`, ".br", `Exit status: ${esc(help.exits.replace(/\n/g, " "))}.`);
  }
  out.push(".SH SEE ALSO", "The README and docs/ of the supervise repository.");
  return `${out.join("\n")}\n`;
}
