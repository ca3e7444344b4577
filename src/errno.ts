// Kernel-style typed errors, shaped like Node's own system errors (lib/internal/errors.js).
// Runs in every thread; pure, imports nothing of ours.
// Numbers come from os.constants.errno, never from a hand-copied table.
import { constants } from 'node:os';

/** The errno names tracelab raises. Each maps to the host's number through `os.constants.errno`. */
export type ErrnoName =
  | 'EPERM' | 'ENOENT' | 'ESRCH' | 'EINTR' | 'EIO' | 'EBADF' | 'EAGAIN' | 'ENOMEM'
  | 'EACCES' | 'EFAULT' | 'EBUSY' | 'EEXIST' | 'ENODEV' | 'ENOTDIR' | 'EISDIR' | 'EINVAL'
  | 'EMFILE' | 'ENOSPC' | 'ESPIPE' | 'ERANGE' | 'ENOSYS' | 'EOPNOTSUPP' | 'EISCONN'
  | 'ESHUTDOWN' | 'ETIMEDOUT' | 'ECANCELED' | 'E2BIG' | 'EOVERFLOW' | 'EPROTO' | 'ECHILD' | 'ENOTTY' | 'EDEADLK' | 'ENOEXEC';

/*
 * Linux errno numbers that Node's os.constants.errno lacks (it lists the POSIX set only).
 * Used only when the host table has no entry, so the host always wins.
 */
const LINUX_ONLY: Record<string, number> = { ESHUTDOWN: 108 };
const table: Record<string, number> = { ...LINUX_ONLY, ...(constants.errno as Record<string, number>) };

/** Positive errno number of a name, as the kernel defines it on this host. */
export function errnoOf(code: ErrnoName): number {
  const n = table[code];
  if (n === undefined) throw new TypeError(`unknown errno name ${code}`);
  return n;
}

/** Errno name for a positive or negative number, or undefined. */
export function errnoName(errno: number): ErrnoName | undefined {
  const n = Math.abs(errno);
  for (const [name, value] of Object.entries(table)) if (value === n) return name as ErrnoName;
  return undefined;
}

/** Fields that travel with a KernelError when it is cloned across threads. */
export interface KernelErrorInit {
  code: ErrnoName;
  syscall: string;
  path?: string;
  detail?: string;
}

/**
 * An error that carries the kernel's errno name, like Node's `SystemError`.
 *
 * `code` is the name (`'EBUSY'`), `errno` is negative as in Node (-16), `syscall` names the call,
 * and `path` is the tracefs path when there is one. The message follows Node's pattern,
 * `open EBUSY: osnoise/per_cpu/cpu0/timerlat_fd`, with an optional hint after ` — `.
 *
 * @example
 * try { await lab.tracefs.write('osnoise/timerlat_period_us', '5') }
 * catch (err) { if (err instanceof KernelError && err.code === 'EINVAL') console.log(err.message) }
 */
export class KernelError extends Error {
  readonly code: ErrnoName;
  readonly errno: number;
  readonly syscall: string;
  readonly path: string | undefined;
  readonly detail: string | undefined;

  constructor(init: KernelErrorInit) {
    const where = init.path === undefined ? '' : `: ${init.path}`;
    const hint = init.detail === undefined ? '' : ` — ${init.detail}`;
    super(`${init.syscall} ${init.code}${where}${hint}`);
    this.name = 'KernelError';
    this.code = init.code;
    this.errno = -errnoOf(init.code);
    this.syscall = init.syscall;
    this.path = init.path;
    this.detail = init.detail;
  }

  /** A plain object that survives structured clone (postMessage drops class identity). */
  toJSON(): KernelErrorInit {
    const out: KernelErrorInit = { code: this.code, syscall: this.syscall };
    if (this.path !== undefined) out.path = this.path;
    if (this.detail !== undefined) out.detail = this.detail;
    return out;
  }

  /** Rebuild an error from `toJSON()` output. */
  static from(init: KernelErrorInit): KernelError {
    return new KernelError(init);
  }
}

/** The one factory: `kerr('EBUSY', 'open', 'osnoise/per_cpu/cpu0/timerlat_fd')`. */
export function kerr(code: ErrnoName, syscall: string, path?: string, detail?: string): KernelError {
  const init: KernelErrorInit = { code, syscall };
  if (path !== undefined) init.path = path;
  if (detail !== undefined) init.detail = detail;
  return new KernelError(init);
}

/** True when `err` is a KernelError with the given code (works on cloned plain objects too). */
export function isKernelError(err: unknown, code?: ErrnoName): err is KernelError {
  if (!(err instanceof KernelError)) return false;
  return code === undefined || err.code === code;
}

/** Fail loudly on a message type this side does not know (Node's worker.js does the same). */
export function unknownMessage(where: string, msg: unknown): never {
  const type = typeof msg === 'object' && msg !== null && 'type' in msg ? String((msg as { type: unknown }).type) : typeof msg;
  throw new Error(`${where}: unknown message type ${type}`);
}
