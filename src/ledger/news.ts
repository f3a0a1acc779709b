// The ledger's doorbell for agent sessions: one empty file per session, rung after a write
// commits something that session's agent is to hear of (src/tell), taken by the hook that
// tells it. The hooks that run at every tool call then learn with one stat, not an open of
// SQLite, that there is nothing to tell. Ring after commit, take before reading: a ring that
// comes between the two is read now and heard again later, never lost. Bun's file API on the
// hooks' side: node:fs would cost each tool call more than the rest of the check.

/** The bell's file: the session id hashed, since any text may name a session. */
export function newsFile(stateDir: string, session: string): string {
  return `${stateDir}/news/${Bun.hash(session).toString(36)}`;
}

/** Best effort: a bell that cannot be rung costs the agent a notice, never the write that had it. */
export function ringNews(stateDir: string, session: string | null): void {
  if (session === null) return;
  const { mkdirSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  const path = newsFile(stateDir, session);
  try {
    writeFileSync(path, "");
  } catch {
    try {
      mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
      writeFileSync(path, "");
    } catch {}
  }
}

/** Takes the session's bell; true when it had been rung. */
export async function takeNews(stateDir: string, session: string): Promise<boolean> {
  const bell = Bun.file(newsFile(stateDir, session));
  try {
    await bell.delete();
    return true;
  } catch {
    // ENOENT: not rung. Anything else (a dir that cannot be written): read the ledger anyway, as if rung.
    return await bell.exists().catch(() => false);
  }
}

/** The state dir of a connection to its ledger. */
export function stateDirOf(db: { filename: string }): string {
  return db.filename.slice(0, db.filename.lastIndexOf("/"));
}
