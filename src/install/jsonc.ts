// Gemini CLI reads its settings.json through strip-json-comments: `//` and `/* */` comments
// outside strings are allowed there, so install reads them the same way.

/** `text` with its comments (outside strings) blanked; null when it holds none. */
export function withoutComments(text: string): string | null {
  let out = "";
  let found = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"') {
      // A string, escapes included, copied whole.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      found = true;
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (c === "/" && text[i + 1] === "*") {
      found = true;
      const end = text.indexOf("*/", i + 2);
      // Newlines kept, so that JSON.parse's positions still name the right line.
      const comment = text.slice(i, end === -1 ? text.length : end + 2);
      out += comment.replace(/[^\n]/g, " ");
      i += comment.length;
    } else {
      out += c;
      i++;
    }
  }
  return found ? out : null;
}
