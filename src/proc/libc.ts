// The libc calls the wrapper needs and Bun has no API for, through bun:ffi. Each answers
// false where libc cannot be loaded (another C library, FFI disabled): callers keep a fallback.

type Libc = {
  symbols: {
    pthread_sigmask(how: number, set: NodeJS.TypedArray, old: null): number;
    prctl(option: number, arg2: bigint, arg3: bigint, arg4: bigint, arg5: bigint): number;
    waitpid(pid: number, status: NodeJS.TypedArray, options: number): number;
    isatty(fd: number): number;
  };
  close(): void;
};

const SIG_SETMASK = 2;
const PR_SET_PDEATHSIG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;
/** glibc's sigset_t: 1024 bits. */
const SIGSET_BYTES = 128;

let libc: Libc | null | undefined;

function load(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    libc = dlopen("libc.so.6", {
      pthread_sigmask: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
      prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
      waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
      isatty: { args: [FFIType.i32], returns: FFIType.i32 },
    }) as unknown as Libc;
  } catch {
    libc = null;
  }
  return libc;
}

/**
 * Unblocks every signal on the calling (main) thread. A blocked mask is inherited across exec:
 * left alone, our handlers would never run, and the command would start with it too.
 */
export function unblockAllSignals(): boolean {
  const c = load();
  return c !== null && c.symbols.pthread_sigmask(SIG_SETMASK, new Uint8Array(SIGSET_BYTES), null) === 0;
}

/** Asks the kernel to send `signal` when the thread that started us exits. */
export function setParentDeathSignal(signal: number): boolean {
  const c = load();
  return c !== null && c.symbols.prctl(PR_SET_PDEATHSIG, BigInt(signal), 0n, 0n, 0n) === 0;
}

/**
 * Makes us the reaper of our orphaned descendants (as `tini -s`): a process whose parent
 * exits is reparented to us instead of init, so what the command leaves stays ours by kernel
 * fact, with or without its cookie. Not inherited by the command.
 */
export function becomeChildSubreaper(): boolean {
  const c = load();
  return c !== null && c.symbols.prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) === 0;
}

/**
 * Reaps one child that is already a zombie; true when it was. Only ever for a named pid:
 * waitpid(-1) would take Bun's own child's status from it.
 */
export function reapZombie(pid: number): boolean {
  const c = load();
  return pid > 0 && c !== null && c.symbols.waitpid(pid, new Int32Array(1), WNOHANG) === pid;
}

/** isatty(3) itself, so every kind of terminal counts; null where libc cannot be loaded. */
export function isatty(fd: number): boolean | null {
  const c = load();
  return c === null ? null : c.symbols.isatty(fd) === 1;
}

/** Frees the library and its compiled call stubs once the calls are made: a waiting wrapper needs neither. */
export function releaseLibc(): void {
  libc?.close();
  libc = undefined;
}
