// The command's stdout and stderr under --capture are kernel pipes whose read ends are ours,
// made with pipe2(2) through bun:ffi. Bun's own "pipe" is a socket pair: closed under a
// writer it answers ECONNRESET, never the SIGPIPE a command gets when its reader goes.

import { closeSync } from "node:fs";

const O_CLOEXEC = 0o2000000;

export interface Pipe {
  read: number;
  write: number;
}

/** `count` pipes, both ends close-on-exec (the command gets its end dup'ed as 1 or 2); null where libc cannot be loaded. */
export function openPipes(count: number): Pipe[] | null {
  let libc: { symbols: { pipe2(fds: Int32Array, flags: number): number }; close(): void };
  try {
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    libc = dlopen("libc.so.6", { pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 } }) as unknown as typeof libc;
  } catch {
    return null;
  }
  const pipes: Pipe[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const fds = new Int32Array(2);
      if (libc.symbols.pipe2(fds, O_CLOEXEC) !== 0) {
        closePipes(pipes);
        return null;
      }
      pipes.push({ read: fds[0]!, write: fds[1]! });
    }
    return pipes;
  } finally {
    libc.close();
  }
}

export function closeFd(fd: number | null): void {
  if (fd === null) return;
  try {
    closeSync(fd);
  } catch {}
}

function closePipes(pipes: readonly Pipe[]): void {
  for (const pipe of pipes) {
    closeFd(pipe.read);
    closeFd(pipe.write);
  }
}
