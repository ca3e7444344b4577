// Page (sub-buffer) life cycle: open a recycled page for a new sequence number, and walk records.
// kernel/trace/ring_buffer.c: rb_reset_tail / rb_move_tail; LTTng lib_ring_buffer_switch_new_start.
// Runs in whichever writer won the tail CAS (or in repair). Only that thread touches the page
// between the tail CAS and the RES store that publishes it, so plain stores are safe there.
import {
  B_OVERRUN_RAW, COMMIT_BYTES_MASK, COMMIT_EVENT_SHIFT, CLAIM_OPEN, CLAIM_OVERWRITTEN, SEQ_MASK, LEN_MASK, P_BASE_TS64, P_CLAIM, P_COMMIT_LOCAL, P_COMMIT_REMOTE, P_RES, PAGE_HDR,
  TAG_MASK, TAG_SHIFT, B_TAIL, B_READ_SEQ, P_INIT_BY, OFF_MASK, seqDiff,
} from './layout.js';
import { type RingCore, pageAddr } from './core.js';

/** Zero a page's data area, reset its counters and publish it as sequence `seq`. */
export function openPage(c: RingCore, page: number, seq: number, baseTsNs: number): void {
  const pi = page >> 2;
  c.d64.fill(0, (page + PAGE_HDR) >> 3, (page + PAGE_HDR + c.cap) >> 3); // zero: an unwritten header reads as "empty" (f64 fill: 4x faster than u8 on a SAB)
  c.d32[pi + P_COMMIT_LOCAL] = 0; // single writer (opener), published by the RES store below
  c.d32[pi + P_COMMIT_REMOTE] = 0; // single writer (opener), published by the RES store below
  c.d64[(page >> 3) + P_BASE_TS64] = baseTsNs;
  Atomics.store(c.d32, pi + P_CLAIM, (seq << 2) | CLAIM_OPEN); // publish: readers see the new generation
  Atomics.store(c.d32, pi + P_RES, (seq & TAG_MASK) << TAG_SHIFT); // publish: page open for reserves
}

/** Bytes committed to a page (local + remote). */
export function committedBytes(c: RingCore, page: number): number {
  const pi = page >> 2;
  return (Atomics.load(c.d32, pi + P_COMMIT_LOCAL) & COMMIT_BYTES_MASK) + (Atomics.load(c.d32, pi + P_COMMIT_REMOTE) & COMMIT_BYTES_MASK); // acquire: both counters
}

/**
 * Data events committed to a page (local + remote). Exact once the page is complete: each counter
 * word carries its bytes and events together, so a late (stale-ok) local word is late in both.
 */
export function committedEvents(c: RingCore, page: number): number {
  const pi = page >> 2;
  return (Atomics.load(c.d32, pi + P_COMMIT_LOCAL) >>> COMMIT_EVENT_SHIFT) + (Atomics.load(c.d32, pi + P_COMMIT_REMOTE) >>> COMMIT_EVENT_SHIFT); // acquire: both counters
}

/** Bytes reserved in a page (the RES offset). */
export function reservedBytes(c: RingCore, page: number): number {
  return Atomics.load(c.d32, (page >> 2) + P_RES) & LEN_MASK; // acquire
}

/**
 * Overwrite mode, before page `n` reuses a slot: if the reader never finished the old generation,
 * mark it overwritten and count its events as overrun. Races the reader's consume CAS on CLAIM.
 *
 * Why the count comes after the claim: OVERRUN_RAW only ever holds losses that are final. Counting
 * first and subtracting back when the reader's consume CAS wins left a window in which a reader
 * that had just read the whole page saw it counted as lost and reported it in-band; the in-band
 * total then exceeded the counters for good (`stress ring`: in-band 909301 == counters 909299).
 * Cost: a reader that sees the overwritten CLAIM before this add reports the loss late (at its next
 * loss check), never too much. The reader's side of the argument is in cursor.ts (overrunPending).
 */
export function retireUnread(c: RingCore, bi: number, page: number, n: number): void {
  const pi = page >> 2;
  const s = (n - c.params.subbufsPerCpu) & SEQ_MASK;
  const open = (s << 2) | CLAIM_OPEN;
  if (Atomics.load(c.d32, pi + P_CLAIM) !== open) return; // acquire: consumed (or never used): nothing lost
  const lost = committedEvents(c, page); // the page is complete: the advancer checked it before its tail CAS
  if (Atomics.compareExchange(c.d32, pi + P_CLAIM, open, (s << 2) | CLAIM_OVERWRITTEN) !== open) return; // RMW only: the reader finished the page first
  Atomics.add(c.ctl, bi + B_OVERRUN_RAW, lost); // RMW only: after the claim, so the count is never taken back (stale-ok: a reader may see it late)
}

/** What advanceTail did: moved the tail, found the buffer full (discard), found the next page's old generation still in flight, or lost the race. */
export const ADV_OK = 0;
export const ADV_FULL = 1;
export const ADV_COMMIT_OVERRUN = 2;
export const ADV_RACED = 3;

/**
 * Move (cpu, bank)'s tail from `t` to `t + 1` and open the page there for sequence t + 1, stamped
 * `ts`; in overwrite mode its unread events are retired (counted as overrun) first. Any writer may
 * call it; the tail CAS picks one advancer per page. The caller wakes a waiting reader on ADV_OK.
 */
export function advanceTail(c: RingCore, writerId: number, cpu: number, bank: number, bi: number, t: number, ts: number): number {
  const n = (t + 1) & SEQ_MASK;
  const page = pageAddr(c, cpu, bank, n & c.nMask);
  const pi = page >> 2;
  const stillT = (): boolean => Atomics.load(c.ctl, bi + B_TAIL) === t; // acquire
  // The page's previous generation must be fully committed before anyone may reuse it.
  if (committedBytes(c, page) !== (Atomics.load(c.d32, pi + P_RES) & OFF_MASK)) {
    return stillT() ? ADV_COMMIT_OVERRUN : ADV_RACED;
  }
  if (c.discard) {
    const rs = Atomics.load(c.ctl, bi + B_READ_SEQ); // stale-ok: late means we drop, never overwrite
    if (seqDiff(n, rs) >= c.params.subbufsPerCpu) return stillT() ? ADV_FULL : ADV_RACED;
  }
  if (Atomics.compareExchange(c.ctl, bi + B_TAIL, t, n) !== t) return ADV_RACED; // RMW only: one advancer per page
  c.d32[pi + P_INIT_BY] = writerId; // single writer: the advancer; read by repair
  if (!c.discard) retireUnread(c, bi, page, n);
  openPage(c, page, n, ts);
  return ADV_OK;
}
