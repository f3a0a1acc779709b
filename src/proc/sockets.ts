// Listening sockets from /proc: each network namespace's tables (/proc/PID/net/{tcp,udp}{,6})
// by inode, and each process's socket fds, so a port can be tied to the processes holding it.

import { readdirSync, readlinkSync } from "node:fs";
import { readProcText } from "./read.ts";

export interface ListeningSocket {
  port: number;
  /** The uid that created it, as the table gives it. */
  uid: number;
  protocol: "tcp" | "tcp6" | "udp" | "udp6";
}

/** The inodes of the sockets among `pid`'s open fds; none when they cannot be read (another user's). */
export function socketInodes(pid: number): string[] {
  const inodes: string[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[([0-9]+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.push(match[1]!);
    } catch {}
  }
  return inodes;
}

/** Of `inodes`, the ports they serve (servingSockets), read in `pid`'s network namespace. */
export function listeningPorts(pid: number, inodes: ReadonlySet<string>): number[] {
  const ports = new Set<number>();
  for (const [inode, socket] of servingSockets(pid)) if (inodes.has(inode)) ports.add(socket.port);
  return [...ports].sort((a, b) => a - b);
}

/** Every listening TCP socket and bound, unconnected UDP one of `pid`'s network namespace, by inode: a port's holders, whoever they are. */
export function listeningSockets(pid: number | "self"): Map<string, ListeningSocket> {
  return socketsWhere(pid, (row) => row.listening, (row) => row.localPort);
}

/** The same, less UDP sockets on a port the kernel picked (its ephemeral range): what says a process serves. */
export function servingSockets(pid: number | "self"): Map<string, ListeningSocket> {
  return socketsWhere(pid, (row) => row.listening && !row.picked, (row) => row.localPort);
}

/**
 * The sockets with `port`, by inode: listening ones, any with it as their local port (what
 * `fuser PORT/tcp` names), or any with it at either end (what `lsof -i :PORT` names).
 */
export function socketsOnPort(pid: number | "self", port: number, scope: "listen" | "local" | "either"): Map<string, ListeningSocket> {
  if (scope === "listen") return new Map([...listeningSockets(pid)].filter(([, socket]) => socket.port === port));
  return socketsWhere(pid, (row) => row.localPort === port || (scope === "either" && row.remotePort === port), () => port);
}

interface SocketRow {
  localPort: number;
  remotePort: number;
  /** TCP LISTEN, or UDP bound and unconnected. */
  listening: boolean;
  /** UDP on a port in the ephemeral range: the kernel's pick for a client (sendto, a resolver), most likely. */
  picked: boolean;
}

/** The kernel's range for ports it picks itself (ip_local_port_range); an unconnected UDP socket there is a client's (sendto, a resolver), not a server's. */
function ephemeralPorts(): [number, number] {
  try {
    const [low, high] = readProcText("/proc/sys/net/ipv4/ip_local_port_range").trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {}
  return [32768, 60999];
}

function socketsWhere(pid: number | "self", wanted: (row: SocketRow) => boolean, portOf: (row: SocketRow) => number): Map<string, ListeningSocket> {
  const sockets = new Map<string, ListeningSocket>();
  const [ephemeralLow, ephemeralHigh] = ephemeralPorts();
  for (const [protocol, listening] of [["tcp", "0A"], ["tcp6", "0A"], ["udp", "07"], ["udp6", "07"]] as const) {
    let text: string;
    try {
      text = readProcText(`/proc/${pid}/net/${protocol}`);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode
      if (f.length < 10) continue;
      const localPort = parseInt(f[1]!.split(":")[1] ?? "", 16);
      const picked = protocol.startsWith("udp") && localPort >= ephemeralLow && localPort <= ephemeralHigh;
      const row = { localPort, remotePort: parseInt(f[2]!.split(":")[1] ?? "", 16), listening: f[3] === listening, picked };
      const uid = Number(f[7]);
      if (!wanted(row) || !Number.isInteger(uid)) continue;
      const port = portOf(row);
      // Inode 0: a socket no process holds any more (TIME_WAIT, an unaccepted connection), never "another user's".
      if (Number.isInteger(port) && port > 0 && f[9] !== "0") sockets.set(f[9]!, { port, uid, protocol });
    }
  }
  return sockets;
}

/** The ports each process serves (servingSockets), the socket tables read once per network namespace. */
export function portsOfEach(pids: readonly number[]): Map<number, number[]> {
  const tables = new Map<string, Map<string, ListeningSocket>>();
  const out = new Map<number, number[]>();
  for (const pid of pids) {
    const inodes = socketInodes(pid);
    if (inodes.length === 0) {
      out.set(pid, []);
      continue;
    }
    const namespace = netNamespaceOf(pid) ?? `pid ${pid}`;
    if (!tables.has(namespace)) tables.set(namespace, servingSockets(pid));
    const sockets = tables.get(namespace)!;
    out.set(pid, [...new Set(inodes.flatMap((inode) => (sockets.has(inode) ? [sockets.get(inode)!.port] : [])))].sort((a, b) => a - b));
  }
  return out;
}

/** "net:[4026531840]"; null when unreadable. */
export function netNamespaceOf(pid: number | "self"): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}
