// `install --local` keeps what it writes out of git: the settings file and its backups go
// into the clone's own .git/info/exclude (never committed, unlike .gitignore), relative to
// the work tree's root.

import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/** The work tree holding `dir` and the git directory whose info/exclude serves it; null outside git. */
export function gitRepositoryOf(dir: string): { root: string; commonDir: string } | null {
  for (let at = resolve(dir); ; at = dirname(at)) {
    const dotGit = join(at, ".git");
    const kind = statSync(dotGit, { throwIfNoEntry: false });
    if (kind?.isDirectory()) return { root: at, commonDir: dotGit };
    if (kind?.isFile()) {
      // A linked worktree or a submodule: "gitdir: PATH", and a worktree's commondir beside it.
      const match = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"));
      if (!match) return null;
      const gitDir = resolve(at, match[1]!.trim());
      const common = join(gitDir, "commondir");
      return { root: at, commonDir: existsSync(common) ? resolve(gitDir, readFileSync(common, "utf8").trim()) : gitDir };
    }
    if (dirname(at) === at) return null;
  }
}

/** Adds `files` and their backups to info/exclude, once each; the exclude file's path, or null outside git. */
export function excludeFromGit(files: readonly string[]): string | null {
  const repo = files.length ? gitRepositoryOf(dirname(files[0]!)) : null;
  if (!repo) return null;
  const exclude = join(repo.commonDir, "info", "exclude");
  const text = existsSync(exclude) ? readFileSync(exclude, "utf8") : "";
  const have = new Set(text.split("\n"));
  const wanted: string[] = [];
  for (const file of files) {
    const path = relative(repo.root, file);
    if (path.startsWith("..") || isAbsolute(path)) continue;
    // Anchored at the root; a backup is the file's name and a suffix.
    for (const pattern of [`/${path}`, `/${path}.supervise-backup-*`]) if (!have.has(pattern)) wanted.push(pattern);
  }
  if (wanted.length === 0) return exclude;
  mkdirSync(dirname(exclude), { recursive: true });
  appendFileSync(exclude, `${text === "" || text.endsWith("\n") ? "" : "\n"}# supervise install --local\n${wanted.join("\n")}\n`);
  return exclude;
}
