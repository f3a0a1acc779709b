// Who holds a port, read from this machine's /proc: a socket no process holds (TIME_WAIT) is
// nobody's, not "a process of uid 0 that supervise cannot read" (review of issue 24). Read-only:
// nothing is signalled.

import { expect, test } from "bun:test";
import { findPortHolders } from "../../src/ports/holders.ts";

/** A port whose server end waits in TIME_WAIT: the server closed first, then everything exited. */
function timeWaitPort(): number {
  const script = `import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 0)); s.listen()
port = s.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port))
conn, _ = s.accept()
conn.close()
c.recv(1); c.close(); s.close()
print(port)`;
  const run = Bun.spawnSync(["python3", "-c", script], { stdout: "pipe", stderr: "pipe", timeout: 10_000 });
  expect(run.exitCode).toBe(0);
  return Number(run.stdout.toString().trim());
}

test("a socket left in TIME_WAIT on the port is held by nobody: no holder, nothing unseen, in every scope", () => {
  const port = timeWaitPort();
  // The kernel keeps the TIME_WAIT row for a minute: it is there to be misread.
  expect(require("node:fs").readFileSync("/proc/self/net/tcp", "utf8")).toContain(`:${port.toString(16).toUpperCase().padStart(4, "0")} `);
  for (const scope of ["listen", "local", "either"] as const) expect(findPortHolders(port, undefined, scope)).toEqual({ port, pids: [], unseen: [] });
});

test("a UDP socket on a port the kernel picked is still a holder of that port (ps --port, kill --port), though it is not serving", async () => {
  const proc = Bun.spawn(["python3", "-c", "import socket, sys, time\nu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))\nprint(u.getsockname()[1], flush=True)\ntime.sleep(100)"], { stdout: "pipe", stderr: "ignore" });
  try {
    const reader = proc.stdout.getReader();
    const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
    const [low, high] = require("node:fs").readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    expect(port >= low && port <= high).toBe(true);
    expect(findPortHolders(port).pids).toEqual([proc.pid]);
    const { portsOfEach } = await import("../../src/proc/sockets.ts");
    expect(portsOfEach([proc.pid]).get(proc.pid)).toEqual([]);
  } finally {
    proc.kill();
  }
});
