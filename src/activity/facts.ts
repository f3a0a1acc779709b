// The facts of a process tree that say what it is doing, read from /proc in one look: CPU
// ticks (its reaped children's included), time spent waiting for a CPU, resident memory, the listening ports of its sockets,
// whether it is blocked reading a stdin that can block, and when its output last
// changed where that can be seen (a regular file; /dev/null is seen and never changes).

import { readdirSync, readlinkSync, statSync } from "node:fs";
import { readProcText } from "../proc/read.ts";
import { listeningPorts, socketInodes } from "../proc/sockets.ts";
import { readNow } from "../proc/facts.ts";
import { processKey } from "../proc/identity.ts";
import { PAGE_BYTES, parseStat } from "../proc/stat.ts";

/** The tree's facts; null fields could not be read. */
export interface TreeFacts {
  pids: number[];
  /** utime + stime + cutime + cstime of every process. */
  cpuTicks: number;
  /** Milliseconds each process's main thread has waited, runnable, for a CPU (/proc/PID/schedstat); 0 where unreadable. */
  queuedMs: number;
  rssBytes: number;
  /** Listening TCP ports and bound UDP ports, ascending, each once. */
  ports: number[];
  readingStdin: boolean;
  /** Every process of it is stopped (Ctrl-Z, SIGSTOP): the user's pause, not a stall. */
  stopped: boolean;
  /** The latest mtime of what the tree's first process writes its stdout and stderr to (0 for /dev/null); null when either cannot be seen. */
  outputAt: number | null;
  /**
   * Bytes each process has written itself so far (its live threads' /proc/PID/task/TID/io wchar,
   * never its reaped children's), by `pid:startTicks`: a download writes what it gets. Reads
   * are not counted: a poll loop re-reading a file it waits on reads the same bytes again and
   * again. The judge counts a process's bytes only between two looks that both saw it.
   */
  io?: ReadonlyMap<string, number>;
  /** Threads blocked reading stdin (read(2) on fd 0, or select on it alone), each with the bytes it has read so far (rchar), by `pid:startTicks/tid`: the next look's `fed`. */
  stdinReads?: ReadonlyMap<string, number>;
  /** A thread that the last look saw blocked reading stdin has completed a read since: input came (`slow | cmd`, `tail -f log | grep`). */
  fed?: boolean;
}

/** read(2), select(2) and the epoll waits an event loop sleeps in, by architecture, as /proc/PID/syscall's first field gives them. */
const READ_SYSCALL: Record<string, string> = { x64: "0", arm64: "63" };
const SELECT_SYSCALLS: Record<string, readonly string[]> = { x64: ["23", "270"], arm64: ["72"] };
const EPOLL_WAITS: Record<string, readonly string[]> = { x64: ["232", "281", "441"], arm64: ["22", "441"] };

/** `root` and its descendants, parents first: through each thread's children list. */
export function treeOf(root: number, limit = 10_000): number[] {
  const pids: number[] = [];
  const seen = new Set<number>();
  for (const queue = [root]; queue.length && pids.length < limit; ) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    pids.push(pid);
    for (const task of tasks) {
      try {
        for (const child of readProcText(`/proc/${pid}/task/${task}/children`).split(" ")) if (child) queue.push(Number(child));
      } catch {}
    }
  }
  return pids;
}

/**
 * The facts of the processes `pids` (one tree); `outputOf` is whose stdout counts as the tree's
 * output; `stdinReadsBefore`: the last look's `stdinReads`, for `fed`.
 */
export function readTreeFacts(pids: readonly number[], outputOf: number | null = pids[0] ?? null, stdinReadsBefore: ReadonlyMap<string, number> = new Map()): TreeFacts {
  let cpuTicks = 0;
  let queuedMs = 0;
  let rssBytes = 0;
  const readers: Array<{ pid: number; stdin: string }> = [];
  const stdinReads = new Map<string, number>();
  let read = 0;
  let stoppedCount = 0;
  const io = new Map<string, number>();
  let fed = false;
  const sockets = new Set<string>();
  for (const pid of pids) {
    const stat = readNow.stat(pid);
    if (stat === null) continue;
    const key = processKey(stat);
    cpuTicks += stat.utimeTicks + stat.stimeTicks + stat.cutimeTicks + stat.cstimeTicks;
    rssBytes += stat.rssPages * PAGE_BYTES;
    queuedMs += runQueueMs(pid);
    for (const inode of socketInodes(pid)) sockets.add(inode);
    const stdin = stdinThatBlocks(pid);
    const threads = threadsOf(pid, stdin);
    io.set(key, threads.reduce((sum, t) => sum + t.bytes, 0));
    for (const t of threads) {
      // Bytes, not calls: a read interrupted by a signal and retried reads nothing.
      const before = stdinReadsBefore.get(`${key}/${t.tid}`);
      if (before !== undefined && t.read > before) fed = true;
      if (t.reads) stdinReads.set(`${key}/${t.tid}`, t.read);
    }
    if (stdin !== null && threads.some((t) => t.waitsOnStdin)) readers.push({ pid, stdin });
    read++;
    if (stat.state === "T" || stat.state === "t") stoppedCount++;
  }
  // A reader whose pipe another process of the tree writes waits on its own pipeline (`slow | cmd`), not for an answer.
  const unanswered = readers.filter((reader) => !writtenWithin(reader.stdin, reader.pid, pids));
  return {
    pids: [...pids],
    cpuTicks,
    queuedMs,
    rssBytes,
    ports: sockets.size && pids.length ? listeningPorts(pids[0]!, sockets) : [],
    readingStdin: unanswered.length > 0,
    stopped: read > 0 && stoppedCount === read,
    outputAt: outputOf === null ? null : outputTime(outputOf),
    io,
    stdinReads,
    fed,
  };
}

interface ThreadFacts {
  tid: string;
  /** wchar of this thread alone. */
  bytes: number;
  /** rchar of this thread alone. */
  read: number;
  waitsOnStdin: boolean;
  /** Waiting in read(2) or select(2) on stdin itself (also behind a pipe the tree writes): what it reads next is stdin's. */
  reads: boolean;
}

/** Each live thread's own I/O, and whether it waits for `stdin` (null: a stdin that cannot block, never). */
function threadsOf(pid: number, stdin: string | null): ThreadFacts[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: ThreadFacts[] = [];
  for (const tid of tasks) {
    const task = `/proc/${pid}/task/${tid}`;
    let bytes = 0;
    let read = 0;
    try {
      const text = readProcText(`${task}/io`);
      bytes = Number(/^wchar: ([0-9]+)$/m.exec(text)?.[1]) || 0;
      read = Number(/^rchar: ([0-9]+)$/m.exec(text)?.[1]) || 0;
    } catch {}
    const wait = stdin === null ? null : taskWait(task, pid, stdin);
    out.push({ tid, bytes, read, waitsOnStdin: wait !== null, reads: wait === "read" || wait === "select" });
  }
  return out;
}

/** /proc/PID/schedstat's second field (nanoseconds runnable on a run queue), in ms; 0 without schedstat. */
function runQueueMs(pid: number): number {
  try {
    return Math.floor(Number(readProcText(`/proc/${pid}/schedstat`).split(" ")[1]) / 1e6) || 0;
  } catch {
    return 0;
  }
}

/** What fd 0 is when a read of it can block: "pipe:[N]", "socket:[N]" (Bun's "pipe" is a socket pair), a FIFO or a terminal; null for /dev/null, a file, or unreadable. */
function stdinThatBlocks(pid: number): string | null {
  try {
    const stdin = readlinkSync(`/proc/${pid}/fd/0`);
    if (stdin.startsWith("pipe:") || stdin.startsWith("socket:") || namesTerminal(stdin)) return stdin;
    return stdin.startsWith("/") && stdin !== "/dev/null" && statSync(`/proc/${pid}/fd/0`).isFIFO() ? stdin : null;
  } catch {
    return null;
  }
}

/** Whether an fd's link names a terminal (/dev/pts/N, /dev/ttyN): not cli/terminal.ts's isTerminal, which asks of our own fd. */
function namesTerminal(target: string): boolean {
  return target.startsWith("/dev/pts/") || /^\/dev\/tty[0-9]*$/.test(target);
}

/**
 * How a thread is asleep waiting for its stdin, if it is (a JVM's or a Python thread's prompt
 * reads off the main thread): in read(2) on fd 0, in select(2) on fd 0 alone (bash's `read -t`),
 * or in an epoll wait whose set holds stdin for reading (Node's and Bun's prompts); null if not.
 */
function taskWait(task: string, pid: number, stdin: string): "read" | "select" | "epoll" | null {
  try {
    // A thread's stat, which readNow (keyed by pid) does not read; parsed as a process's is.
    if (parseStat(readProcText(`${task}/stat`))?.state !== "S") return null;
    const [nr, first] = readProcText(`${task}/syscall`).split(" ");
    if (nr === READ_SYSCALL[process.arch]) return Number(first) === 0 ? "read" : null;
    // select's first argument is the highest fd + 1: 1 is stdin alone.
    if (SELECT_SYSCALLS[process.arch]?.includes(nr!)) return Number(first) === 1 ? "select" : null;
    return EPOLL_WAITS[process.arch]?.includes(nr!) === true && epollReads(pid, Number(first), stdin) ? "epoll" : null;
  } catch {
    return null;
  }
}

/** The epoll set `epfd` of `pid` waits to read a file that is `target` (its fds' links name it). */
function epollReads(pid: number, epfd: number, target: string): boolean {
  // tfd: 0 events: 19 data: ... (the events in hex; EPOLLIN is bit 0)
  for (const [, tfd, events] of readProcText(`/proc/${pid}/fdinfo/${epfd}`).matchAll(/^tfd:\s+([0-9]+)\s+events:\s+([0-9a-f]+)/gm)) {
    if ((parseInt(events!, 16) & 1) === 0) continue;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${tfd}`) === target) return true;
    } catch {}
  }
  return false;
}

/** Some process of `pids` other than `reader` holds the pipe or FIFO `target` open for writing (a terminal is always held so: never). */
function writtenWithin(target: string, reader: number, pids: readonly number[]): boolean {
  if (namesTerminal(target) || (!target.startsWith("pipe:") && !target.startsWith("/"))) return false;
  for (const pid of pids) {
    if (pid === reader) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== target) continue;
        // flags: in octal; the access mode is its low two bits (1 write-only, 2 read-write).
        const flags = /^flags:\s+([0-7]+)$/m.exec(readProcText(`/proc/${pid}/fdinfo/${fd}`))?.[1];
        if (flags !== undefined && (parseInt(flags, 8) & 3) !== 0) return true;
      } catch {}
    }
  }
  return false;
}

/**
 * When the files behind the process's stdout and stderr last changed, the later of the two; 0
 * for /dev/null (seen: nothing arrives); null when either is a pipe, socket or terminal, where
 * what it writes cannot be seen.
 */
export function outputTime(pid: number): number | null {
  const out = writtenAt(pid, 1);
  const err = writtenAt(pid, 2);
  return out === null || err === null ? null : Math.max(out, err);
}

/** When the file behind one of the process's fds last changed; 0 for /dev/null; null for a pipe, socket or terminal. */
export function writtenAt(pid: number, fd: number): number | null {
  try {
    const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    if (target === "/dev/null") return 0;
    const stat = statSync(`/proc/${pid}/fd/${fd}`);
    return stat.isFile() ? Math.floor(stat.mtimeMs) : null;
  } catch {
    return null;
  }
}
