// The guard's reason, worded from what was measured: the hits that are not the session's own,
// what could not be measured, and what to run instead.

import { describe, expect, test } from "bun:test";
import { reasonText, type Hits } from "../../../src/hooks/blind-kill/guard.ts";
import { findBlindKills } from "../../../src/hooks/blind-kill/parse.ts";

const hits = (over: Partial<Hits>): Hits => ({ others: [], own: 0, unknown: [], unseenUids: [], ...over });

describe("reasonText", () => {
  const rows: Array<[string, string, Hits, string | null, string]> = [
    [
      "others only, by name: ps is the way to see owners",
      "pkill -f vite",
      hits({ others: ['pid 99 "node", not started by any agent session or supervise entry'] }),
      "s1",
      "supervise: `pkill -f vite` signals by name or port: it would end pid 99 \"node\", not started by any agent session or supervise entry; supervise ps lists each process with the session that owns it; kill PID ends one you know is this session's",
    ],
    [
      "own hits too: also; a port: kill --port with the session",
      "kill -9 $(lsof -ti:5173)",
      hits({ others: ['pid 812 "vite" of live Claude Code session 3f2a1b9c… (pid 777)'], own: 1 }),
      "3f2a1b9c-0000",
      "supervise: `kill -9 $(lsof -ti:5173)` signals by name or port: it would also end pid 812 \"vite\" of live Claude Code session 3f2a1b9c… (pid 777); supervise kill --port 5173 --session 3f2a1b9c-0000 ends only this session's server (supervise ps --port 5173 names each holder)",
    ],
    [
      "no session id: no --session",
      "fuser -k 3000/tcp",
      hits({ unseenUids: [1001] }),
      null,
      "supervise: `fuser -k 3000/tcp` signals by name or port: it would end a process of uid 1001 that supervise cannot read; supervise kill --port 3000 ends only this session's server (supervise ps --port 3000 names each holder)",
    ],
    [
      "a supervise entry no agent session started: named so, and kill --port is said to end it too",
      "npx kill-port 8080",
      hits({ others: ['pid 77 "python3 -m http.server" of entry k3x9q2w8e1, which no agent session started'], sessionless: 1 }),
      "s1",
      "supervise: `npx kill-port 8080` signals by name or port: it would end pid 77 \"python3 -m http.server\" of entry k3x9q2w8e1, which no agent session started; supervise kill --port 8080 --session s1 ends this session's server, and the supervise entry no agent session started too (supervise ps --port 8080 names each holder)",
    ],
    [
      "what cannot be measured is said",
      "fuser -k .",
      hits({ unknown: ["the processes using ."] }),
      "s1",
      "supervise: `fuser -k .` signals by name or port: it cannot be checked: supervise cannot tell the processes using .; supervise ps lists each process with the session that owns it; kill PID ends one you know is this session's",
    ],
    [
      "past four hits: and N more",
      "pkill node",
      hits({ others: ["pid 1", "pid 2", "pid 3", "pid 4", "pid 5", "pid 6"] }),
      "s1",
      "supervise: `pkill node` signals by name or port: it would end pid 1, pid 2, pid 3, pid 4 and 2 more not this session's; supervise ps lists each process with the session that owns it; kill PID ends one you know is this session's",
    ],
  ];
  test.each(rows)("%s", (_name, command, measured, session, reason) => {
    expect(reasonText(findBlindKills(command), measured, session)).toBe(reason);
  });

  test("a session id that is not a plain word is quoted for the shell", () => {
    expect(reasonText(findBlindKills("kill $(lsof -ti:3000)"), hits({ others: ["pid 1"] }), "a b;rm -rf ~")).toContain("supervise kill --port 3000 --session 'a b;rm -rf ~' ends");
  });

  test("a hostile session id or command is printed without control characters", () => {
    const reason = reasonText(findBlindKills("pkill -f '\u001b[2Jx'"), hits({ others: ["pid 1"] }), "s\u0007id");
    expect(reason).not.toMatch(/[\u0000-\u001f]/);
  });
});
