// A supervised command's live processes as a person inspects them: a tree by parent pid,
// with state, age, CPU time, memory and command line.

import { processTimes } from "./times.ts";
import { readProcText } from "./read.ts";
import { portsOfEach } from "./sockets.ts";
import { type ProcStat } from "./stat.ts";
import { readNow } from "./facts.ts";

export interface ProcessView {
  pid: number;
  ppid: number;
  pgid: number;
  /** Depth in the tree: 0 for a process whose parent is not part of the command. */
  depth: number;
  state: string;
  ageSeconds: number;
  cpuSeconds: number;
  rssBytes: number | null;
  command: string;
  /** The command line as its words (`command` is them joined); null when unreadable. */
  argv: string[] | null;
  /** "group": in the command's process group; "cookie": left it but carries the entry's cookie. */
  via: "group" | "cookie";
  /** Its listening TCP and bound UDP ports, ascending. */
  ports: number[];
}

export interface TreeMember {
  stat: ProcStat;
  via: "group" | "cookie";
}

/** Parents before children, siblings by pid. */
export function orderAsTree<T extends { pid: number; ppid: number }>(procs: readonly T[]): Array<{ proc: T; depth: number }> {
  const pids = new Set(procs.map((p) => p.pid));
  const children = new Map<number, T[]>();
  for (const p of procs) {
    const parent = pids.has(p.ppid) && p.ppid !== p.pid ? p.ppid : 0;
    children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const out: Array<{ proc: T; depth: number }> = [];
  const visit = (parent: number, depth: number) => {
    for (const p of (children.get(parent) ?? []).sort((a, b) => a.pid - b.pid)) {
      out.push({ proc: p, depth });
      visit(p.pid, depth + 1);
    }
  };
  visit(0, 0);
  return out;
}

export function describeTree(found: readonly TreeMember[], nowTicks: number): ProcessView[] {
  const tree = orderAsTree(found.map((f) => ({ ...f, pid: f.stat.pid, ppid: f.stat.ppid })));
  const ports = portsOfEach(tree.map(({ proc }) => proc.pid));
  return tree.map(({ proc: { stat, via }, depth }) => {
    const argv = readNow.cmdline(stat.pid);
    return {
      pid: stat.pid,
      ppid: stat.ppid,
      pgid: stat.pgrp,
      depth,
      state: stat.state,
      ...processTimes(stat, nowTicks),
      rssBytes: readRssBytes(stat.pid),
      command: argv?.join(" ") || `[${stat.comm}]`,
      argv,
      via,
      ports: ports.get(stat.pid) ?? [],
    };
  });
}

/** VmRSS from /proc/PID/status (in kB there): the page size is not always 4 KiB. */
export function readRssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readProcText(`/proc/${pid}/status`));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
