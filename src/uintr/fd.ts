// The uintr fd object (uintr_fd.c: uintrfd_fops / struct uintr_receiver_info) as a plain, structured-
// clonable value, plus the result vocabulary every uintr operation shares. Pure: runs in every thread.
// An fd names (receiver UPID, its generation, vector, fd serial); the tables decide whether it is still live.
import type { ErrnoName } from '../errno.js';

/** A user vector, 0..63 (63 has the highest priority). */
export type Vector = number & { readonly __brand?: 'Vector' };

/**
 * A uintr fd: what `uintr_create_fd(vector)` returns. Plain data, so it can be posted to any worker
 * (the way a real fd is passed over a unix socket); `uintr_register_sender` checks it is still open.
 */
export interface UintrFd {
  readonly kind: 'uintr_fd';
  /** Index of the receiver's UPID entry. */
  readonly upid: number;
  /** The receiver's generation when the fd was made (a re-registered slot is a different receiver). */
  readonly gen: number;
  /** The vector this fd posts. */
  readonly vector: Vector;
  /** Serial of this fd among the receiver's fds (a closed and re-created vector gets a new one). */
  readonly serial: number;
}

/** True when `x` has the shape of a UintrFd (anything else is EOPNOTSUPP to register_sender). */
export function isUintrFd(x: unknown): x is UintrFd {
  if (typeof x !== 'object' || x === null) return false;
  const f = x as Record<string, unknown>;
  return f['kind'] === 'uintr_fd' && Number.isInteger(f['upid']) && Number.isInteger(f['gen'])
    && Number.isInteger(f['vector']) && Number.isInteger(f['serial']);
}

/** The user-interrupt handler: called once per delivered vector, with UIF cleared. */
export type UintrHandler = (vector: Vector) => void;

/** Fault a senduipi raises in the sender instead of returning (SIGILL: no UITT; SIGSEGV: bad index). */
export type UintrSignal = 'SIGILL' | 'SIGSEGV';

/** A syscall's error result: the errno name (the ctx layer wraps it with `kerr(name, syscall)`). */
export type UintrErr<E extends ErrnoName> = E;

/** How `uintr_wait` ended: interrupted after delivery (the man page's -1/EINTR), timed out (0), or cancelled. */
export type UintrWaitResult = 'EINTR' | 'timed-out' | 'cancelled';
