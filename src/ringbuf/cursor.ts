// The reader's cursor over one (cpu, bank): page sequence, offset, and the loss bookkeeping.
// kernel/trace/ring_buffer.c: rb_advance_reader / rb_get_reader_page, and the missed-events count.
// Runs in the single reader of that bank (any thread, one at a time). Every word here is
// "single writer: reader"; writers only read READ_SEQ (discard mode) and stats read the rest.
import { type RingCore, bankIdx, bankPageAddr } from './core.js';
import {
  B_COMMIT_OVERRUN, B_COMMIT_OVERRUN_REPORTED, B_DEAD_EVENTS, B_DEAD_REPORTED, B_DROPPED,
  B_DROPPED_REPORTED, B_OVERRUN_CORR, B_OVERRUN_RAW, B_OVERRUN_REPORTED, B_READ_K, B_READ_OFF,
  B_READ_SEQ, B_TAIL, CLAIM_CONSUMED, CLAIM_OPEN, P_CLAIM, SEQ_MASK, seqDiff,
} from './layout.js';

/** Why events went missing, as reported in-band. */
export type LostReason = 'overrun' | 'dropped' | 'commit-overrun' | 'dead-writer';

/** A pending in-band loss: its reason, count and the reported-word to bump once it is consumed. */
export interface PendingLoss {
  reason: LostReason;
  count: number;
  field: number;
}

/** Difference of two u32 counters (wrapping). */
export function u32Diff(a: number, b: number): number {
  return (a - b) >>> 0;
}

/** Losses not yet reported in-band, in the order they are reported; fills `out`, returns true if any. */
export function pendingLoss(c: RingCore, bi: number, includeOverrun: boolean, out: PendingLoss): boolean {
  const ctl = c.ctl;
  const d = u32Diff(Atomics.load(ctl, bi + B_DROPPED), ctl[bi + B_DROPPED_REPORTED]!); // acquire: RMW counter
  if (d !== 0) return set(out, 'dropped', d, B_DROPPED_REPORTED);
  const co = u32Diff(Atomics.load(ctl, bi + B_COMMIT_OVERRUN), ctl[bi + B_COMMIT_OVERRUN_REPORTED]!); // acquire
  if (co !== 0) return set(out, 'commit-overrun', co, B_COMMIT_OVERRUN_REPORTED);
  const dead = u32Diff(Atomics.load(ctl, bi + B_DEAD_EVENTS), ctl[bi + B_DEAD_REPORTED]!); // acquire
  if (dead !== 0) return set(out, 'dead-writer', dead, B_DEAD_REPORTED);
  if (includeOverrun) {
    const o = overrunPending(c, bi);
    if (o > 0) return set(out, 'overrun', o, B_OVERRUN_REPORTED);
  }
  return false;
}

function set(out: PendingLoss, reason: LostReason, count: number, field: number): true {
  out.reason = reason;
  out.count = count;
  out.field = field;
  return true;
}

/*
 * Why overrun is checked against the cursor's page, and what it costs: OVERRUN_REPORTED must never
 * pass OVERRUN_RAW - OVERRUN_CORR as it will finally be, or the in-band total exceeds the counters
 * for good (a later shortfall is clamped, not paid back). The READ_K events the reader has read from
 * its current page are part of what an overwriter counts when it retires that page; they only leave
 * the net count when the reader notices the recycle and losePage moves them to OVERRUN_CORR. A check
 * in between (the reader out of data mid-page, descheduled while writers lap the buffer) would report
 * them. The overwriter counts only after its CLAIM CAS (page.ts, retireUnread), and the CLAIM load
 * below comes after the OVERRUN_RAW load (both seq_cst), so if the page still reads (READ_SEQ, open)
 * the count we loaded holds nothing of it. Otherwise nothing is reported now: the reader's next fill
 * sees the recycle, calls losePage, and reports then. Cost: one CLAIM load per check made mid-page in
 * overwrite mode; a reader racing a recycle may return null once before it sees its page lost.
 */

/** Overrun counted by writers, minus what the reader had read anyway, minus what it reported. */
function overrunPending(c: RingCore, bi: number): number {
  const ctl = c.ctl;
  const net = u32Diff(Atomics.load(ctl, bi + B_OVERRUN_RAW), ctl[bi + B_OVERRUN_CORR]!); // acquire: RMW counter
  if (!c.discard && ctl[bi + B_READ_K]! !== 0 && !cursorPageHolds(c, bi)) return 0; // see "Why overrun is checked..." above
  const p = (net - ctl[bi + B_OVERRUN_REPORTED]!) | 0;
  return p > 0 ? p : 0;
}

/** Overwrite mode: the page at READ_SEQ is still that generation, open (not recycled under the reader). */
function cursorPageHolds(c: RingCore, bi: number): boolean {
  const s = c.ctl[bi + B_READ_SEQ]!; // single writer: reader (us)
  const page = bankPageAddr(c, bi, s & c.nMask);
  return Atomics.load(c.d32, (page >> 2) + P_CLAIM) === ((s << 2) | CLAIM_OPEN); // acquire: after the OVERRUN_RAW load, which it validates
}

/** Mark a pending loss as reported. */
export function reportLoss(c: RingCore, bi: number, loss: PendingLoss): void {
  Atomics.store(c.ctl, bi + loss.field, (c.ctl[bi + loss.field]! + loss.count) | 0); // single writer: reader
}

/**
 * The page at READ_SEQ was recycled under the reader. The events it had already read from it
 * were also counted by the overwriter, so they move to OVERRUN_CORR; the cursor jumps to the
 * oldest page that can still exist.
 */
export function losePage(c: RingCore, bi: number, s: number): void {
  const ctl = c.ctl;
  Atomics.store(ctl, bi + B_OVERRUN_CORR, (ctl[bi + B_OVERRUN_CORR]! + ctl[bi + B_READ_K]!) | 0); // single writer: reader
  Atomics.store(ctl, bi + B_READ_K, 0); // single writer: reader
  Atomics.store(ctl, bi + B_READ_OFF, 0); // single writer: reader
  const oldest = (Atomics.load(ctl, bi + B_TAIL) - c.params.subbufsPerCpu + 1) & SEQ_MASK; // stale-ok: an older tail only jumps less far
  const next = seqDiff(oldest, s + 1) > 0 ? oldest : (s + 1) & SEQ_MASK;
  Atomics.store(ctl, bi + B_READ_SEQ, next); // publish: discard-mode writers may now recycle the page
}

/**
 * The reader read the whole page `s`. Overwrite mode races the overwriter for the page's claim:
 * if the overwriter won, the page counts as lost (losePage) and false is returned.
 */
export function finishPage(c: RingCore, bi: number, s: number, page: number, claim: number): boolean {
  if (!c.discard) {
    if (Atomics.compareExchange(c.d32, (page >> 2) + P_CLAIM, claim, (s << 2) | CLAIM_CONSUMED) !== claim) { // RMW only
      losePage(c, bi, s);
      return false;
    }
  }
  Atomics.store(c.ctl, bi + B_READ_K, 0); // single writer: reader
  Atomics.store(c.ctl, bi + B_READ_OFF, 0); // single writer: reader
  Atomics.store(c.ctl, bi + B_READ_SEQ, (s + 1) & SEQ_MASK); // publish: the page is free for discard-mode writers
  return true;
}

/** Convenience for callers that only have (cpu, bank). */
export function bankOf(c: RingCore, cpu: number, bank: number): number {
  return bankIdx(c, cpu, bank);
}
