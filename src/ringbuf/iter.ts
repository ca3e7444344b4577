// Non-consuming iteration for the `trace` file (ring_buffer_read_start / ring_buffer_iter_peek):
// copy the unread, committed records of one (cpu, bank) without moving the reader's cursor.
// Runs in any thread; writers keep going. A page recycled while it is copied is skipped (its
// events are an overrun the consuming reader will report), checked seqlock-style on CLAIM.
import { type RingCore, bankIdx, pageAddr } from './core.js';
import {
  ABS_FLAG, B_READ_OFF, B_READ_SEQ, B_TAIL, CLAIM_OVERWRITTEN, LEN_MASK, OFF_MASK, P_BASE_TS64, P_CLAIM,
  P_RES, PAGE_HDR, REC_HDR, SEQ_MASK, ST_BUSY, ST_DATA, ST_EMPTY, TAG_MASK, TAG_SHIFT, TYPE_SHIFT,
  recBytes, recState, seqDiff,
} from './layout.js';

/** One copied event. */
export interface SnapshotEvent {
  readonly cpu: number;
  readonly tsNs: number;
  readonly type: number;
  readonly payload: Uint8Array;
}

/** Copy every unread committed event of (cpu, bank), oldest first. */
export function snapshotCpu(c: RingCore, cpu: number, bank: number): SnapshotEvent[] {
  const { ctl, d32, d64, u8 } = c;
  const bi = bankIdx(c, cpu, bank);
  const out: SnapshotEvent[] = [];
  const tail = Atomics.load(ctl, bi + B_TAIL); // stale-ok: events after it are simply not shown
  let s = Atomics.load(ctl, bi + B_READ_SEQ); // stale-ok
  let from = Atomics.load(ctl, bi + B_READ_OFF); // stale-ok
  if (seqDiff(tail, s) >= c.params.subbufsPerCpu) {
    s = (tail - c.params.subbufsPerCpu + 1) & SEQ_MASK;
    from = 0;
  }
  for (; seqDiff(tail, s) >= 0; s = (s + 1) & SEQ_MASK, from = 0) {
    const page = pageAddr(c, cpu, bank, s & c.nMask);
    const pi = page >> 2;
    const claim = Atomics.load(d32, pi + P_CLAIM); // acquire
    if (claim >>> 2 !== s || (claim & 3) === CLAIM_OVERWRITTEN) continue;
    const r = Atomics.load(d32, pi + P_RES); // acquire: BASE_TS is stored before RES
    if (r >>> TAG_SHIFT !== (s & TAG_MASK)) continue;
    const end = r & OFF_MASK;
    const base = d64[(page >> 3) + P_BASE_TS64]!;
    const mark = out.length;
    for (let off = from; off < end;) {
      const rec = page + PAGE_HDR + off;
      const w0 = Atomics.load(d32, rec >> 2); // acquire: committed header
      const st = recState(w0);
      if (st === ST_EMPTY || st === ST_BUSY) break;
      const len = recBytes(w0);
      if (len < REC_HDR || off + len > end) break;
      if (st === ST_DATA) {
        const abs = (w0 & ABS_FLAG) !== 0;
        const start = rec + REC_HDR + (abs ? 8 : 0);
        out.push({
          cpu, type: (w0 >>> TYPE_SHIFT) & 0xff,
          tsNs: abs ? d64[(rec >> 3) + 1]! : base + d32[(rec >> 2) + 1]!,
          payload: u8.slice(start, start + (w0 & LEN_MASK)),
        });
      }
      off += len;
    }
    if (Atomics.load(d32, pi + P_CLAIM) !== claim) out.length = mark; // acquire: recycled while copying
  }
  return out;
}
