// The only blocking wait in tracelab: Atomics.wait / Atomics.waitAsync with a deadline and a cancel word.
// Runs in any thread (waitWord blocks, so only workers; waitWordAsync is for the main thread).
// Contract: a waiter sleeps only while its word still holds `expected`; a waker or a canceller
// changes the word (Atomics.add / Atomics.or) before Atomics.notify, so no wake-up can be lost
// between the waiter's last check and its sleep.
import { clockNs } from './clock.js';

/** How a wait ended: the word changed or was notified, the deadline passed, or the cancel word was set. */
export type WaitResult = 'ok' | 'timed-out' | 'cancelled';

/** A cancel condition: the wait is cancelled once `(view[index] & mask) !== 0`. */
export interface CancelWord {
  readonly view: Int32Array;
  readonly index: number;
  /** Bits that mean "cancelled". @default all bits (-1) */
  readonly mask?: number;
}

/** Options of a wait. */
export interface WaitOptions {
  /** Absolute deadline on `clockNs()`. @default no deadline */
  readonly deadlineNs?: number;
  /** Checked before every sleep and after every wake. @default none */
  readonly cancel?: CancelWord;
  /**
   * Sleep at most this long, once, without reading the clock: 'timed-out' may then come a little
   * early. For periodic liveness re-checks on hot paths; ignored when `deadlineNs` is given.
   * @default none
   */
  readonly timeoutMs?: number;
  /**
   * waitWordAsync only: hold the event loop open while the wait is pending, so a script with
   * nothing else to do still sees the promise settle (Atomics.waitAsync holds no handle of its own:
   * alone, the process would exit with code 13 before the timeout). @default true
   */
  readonly keepAlive?: boolean;
}

/** True when the cancel word is set. */
export function isCancelled(c: CancelWord | undefined): boolean {
  if (c === undefined) return false;
  return (Atomics.load(c.view, c.index) & (c.mask ?? -1)) !== 0; // acquire: canceller's or/store
}

function timeoutMs(deadlineNs: number | undefined): number {
  if (deadlineNs === undefined) return Infinity;
  return Math.max(0, (deadlineNs - clockNs()) / 1e6);
}

/**
 * Block until `view[index] !== expected` (or a notify), the deadline, or cancellation.
 * Never returns 'timed-out' before the deadline: a wake that the OS delivers early sleeps again.
 */
export function waitWord(view: Int32Array, index: number, expected: number, opts: WaitOptions = {}): WaitResult {
  if (opts.deadlineNs === undefined && opts.timeoutMs !== undefined) {
    if (isCancelled(opts.cancel)) return 'cancelled';
    const r = Atomics.wait(view, index, expected, opts.timeoutMs);
    if (isCancelled(opts.cancel)) return 'cancelled';
    return r === 'timed-out' ? 'timed-out' : 'ok';
  }
  for (;;) {
    if (isCancelled(opts.cancel)) return 'cancelled';
    const ms = timeoutMs(opts.deadlineNs);
    if (ms === 0 && opts.deadlineNs !== undefined) return 'timed-out';
    const r = Atomics.wait(view, index, expected, ms);
    if (r !== 'timed-out') return isCancelled(opts.cancel) ? 'cancelled' : 'ok';
    if (opts.deadlineNs !== undefined && clockNs() >= opts.deadlineNs) {
      return isCancelled(opts.cancel) ? 'cancelled' : 'timed-out';
    }
  }
}

/**
 * The main-thread form of `waitWord`: resolves instead of blocking the event loop.
 * Why a timer that never fires, and what it costs: V8 settles a waitAsync from a task Node runs
 * only while the loop is alive, and neither holds a ref'd handle; one idle ref'd interval (period
 * at Node's maximum, cleared when the wait settles) keeps the loop alive, one timer per pending wait.
 */
export async function waitWordAsync(
  view: Int32Array,
  index: number,
  expected: number,
  opts: WaitOptions = {},
): Promise<WaitResult> {
  const hold = opts.keepAlive === false ? undefined : setInterval(noop, HOLD_MS);
  try {
    for (;;) {
      if (isCancelled(opts.cancel)) return 'cancelled';
      const ms = timeoutMs(opts.deadlineNs);
      if (ms === 0 && opts.deadlineNs !== undefined) return 'timed-out';
      const w = Atomics.waitAsync(view, index, expected, ms);
      const r = w.async ? await w.value : w.value;
      if (r !== 'timed-out') return isCancelled(opts.cancel) ? 'cancelled' : 'ok';
      if (opts.deadlineNs !== undefined && clockNs() >= opts.deadlineNs) {
        return isCancelled(opts.cancel) ? 'cancelled' : 'timed-out';
      }
    }
  } finally {
    clearInterval(hold);
  }
}

const HOLD_MS = 2 ** 31 - 1; // Node's largest timer delay (TIMEOUT_MAX)
const noop = (): void => {};

/** Wake every waiter of a sequence word: change it, then notify (RMW only). */
export function kick(view: Int32Array, index: number): void {
  Atomics.add(view, index, 1); // publish: a waiter that loaded the old value will not sleep on it
  Atomics.notify(view, index);
}

/** Set cancel bits, then kick each word the cancelled threads may sleep on. */
export function cancel(c: CancelWord, wake: ReadonlyArray<readonly [Int32Array, number]>): void {
  Atomics.or(c.view, c.index, c.mask ?? 1); // RMW only
  for (const [view, index] of wake) kick(view, index);
}
