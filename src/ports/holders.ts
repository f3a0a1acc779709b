// Who holds a port: the listening TCP sockets and bound UDP ones on it in our network
// namespace, and the processes whose open fds are those sockets (a prefork server's workers
// share one). A socket no readable process holds is another user's: named by its uid only.

import { listPids } from "../proc/read.ts";
import { socketInodes, socketsOnPort, type ListeningSocket } from "../proc/sockets.ts";

export interface PortHolders {
  port: number;
  /** The processes holding a socket on the port, ascending. */
  pids: number[];
  /** Sockets on the port that no process we can read holds. */
  unseen: ListeningSocket[];
}

/** `scope`: which of the port's sockets count (see socketsOnPort); a port's holders are its listeners. */
export function findPortHolders(port: number, pids: readonly number[] = listPids(), scope: "listen" | "local" | "either" = "listen"): PortHolders {
  const onPort = socketsOnPort("self", port, scope);
  if (onPort.size === 0) return { port, pids: [], unseen: [] };
  const held = new Set<string>();
  const holders: number[] = [];
  for (const pid of pids) {
    const hits = socketInodes(pid).filter((inode) => onPort.has(inode));
    if (hits.length === 0) continue;
    holders.push(pid);
    for (const inode of hits) held.add(inode);
  }
  return { port, pids: holders.sort((a, b) => a - b), unseen: [...onPort].filter(([inode]) => !held.has(inode)).map(([, socket]) => socket) };
}

/** A port as a user writes it: 1-65535, digits only. */
export function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}
