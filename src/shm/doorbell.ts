// A doorbell: a word of pending-reason bits plus a "sleeping" word, rung with Atomics.or + notify.
// This is how an IPI reaches a CPU actor. Any thread rings; one thread (the owner) takes and sleeps.
// Ordering (Dekker over seq-cst Atomics): the ringer ORs `pending` then loads `sleeping`; the owner
// stores `sleeping` then loads `pending`. At least one of them sees the other, so a notify is only
// skipped when the owner is sure to see the bits before it sleeps.
import { waitWord, type CancelWord, type WaitResult } from './wait.js';

/** Two Int32 words: pending bits at `index`, the owner's sleeping flag at `index + 1`. */
export const DOORBELL_WORDS = 2;

/** Ring: set `bits` in the pending word and wake the owner if it sleeps. Any thread. */
export function ring(view: Int32Array, index: number, bits: number): void {
  Atomics.or(view, index, bits); // RMW only
  if (Atomics.load(view, index + 1) !== 0) Atomics.notify(view, index, 1); // acquire: owner's sleeping flag
}

/** Take and clear every pending bit. Owner only. */
export function take(view: Int32Array, index: number): number {
  return Atomics.exchange(view, index, 0); // RMW only
}

/** Peek at the pending bits without clearing them. */
export function pending(view: Int32Array, index: number): number {
  return Atomics.load(view, index); // stale-ok: a ring may land right after
}

/**
 * Sleep until a bit is pending, the deadline passes, or `cancel` is set. Owner only.
 * Returns at once when bits are already pending. Does not clear them: call `take()`.
 */
export function sleep(view: Int32Array, index: number, deadlineNs: number | undefined, cancel?: CancelWord, timeoutMs?: number): WaitResult {
  Atomics.store(view, index + 1, 1); // single writer (owner): announce the sleep before the last check
  try {
    if (Atomics.load(view, index) !== 0) return 'ok'; // acquire: bits rung before our flag was seen
    return waitWord(view, index, 0, { deadlineNs, cancel, timeoutMs });
  } finally {
    Atomics.store(view, index + 1, 0); // single writer (owner)
  }
}
