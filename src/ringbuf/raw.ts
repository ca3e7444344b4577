// Whole-page reads for per_cpu/cpuN/trace_pipe_raw (ring_buffer_read_page): the reader gets a copy
// of a committed page in the same format as the live one, ready for decodePage or a trace file.
// Runs in the bank's single reader. A page still being filled is returned only with `partial`.
import { type RingCore, bankIdx, pageAddr } from './core.js';
import { type PendingLoss, finishPage, losePage, pendingLoss, reportLoss } from './cursor.js';
import { paddingWord } from './decode.js';
import {
  B_READ_EVENTS, COMMIT_EVENT_SHIFT, B_READ_K, B_READ_OFF, B_READ_SEQ, CLAIM_OVERWRITTEN, OFF_MASK, P_CLAIM, P_COMMIT_LOCAL,
  P_COMMIT_REMOTE, P_RES, PAGE_HDR, ST_BUSY, ST_DATA, ST_EMPTY, TAG_MASK, TAG_SHIFT, recBytes, recState,
  seqDiff,
} from './layout.js';

/** i32 index of the spare header word (byte 28) that a page copy uses for its lostBefore count. */
export const P_MISSED_COPY = 7;

/** One page handed to a raw reader. */
export interface RawPage {
  readonly cpu: number;
  /** A full sub-buffer copy: header, then records; already-read records are one padding record. */
  readonly bytes: Uint8Array;
  /** Data events in the copy that the reader had not seen before. */
  readonly events: number;
  /** Events lost (any reason) since the previous read, reported before this page. */
  readonly lostBefore: number;
}

/** Options of `consumePage`. */
export interface ConsumePageOptions {
  /** Also hand out the committed prefix of the page writers are still filling. @default false */
  readonly partial?: boolean;
  /** Copy into this buffer (subbufSize bytes) instead of allocating one. */
  readonly into?: Uint8Array;
}

/** Consume the next committed page of (cpu, bank), or null when none is ready. */
export function consumePage(c: RingCore, cpu: number, bank: number, opts: ConsumePageOptions = {}): RawPage | null {
  const { ctl, d32, u8, cap } = c;
  const bi = bankIdx(c, cpu, bank);
  const S = c.params.subbufSize;
  for (;;) {
    const s = ctl[bi + B_READ_SEQ]!; // single writer: reader (us)
    const page = pageAddr(c, cpu, bank, s & c.nMask);
    const pi = page >> 2;
    const claim = Atomics.load(d32, pi + P_CLAIM); // acquire
    const d = seqDiff(claim >>> 2, s);
    if (d < 0) return null;
    if (d > 0 || (claim & 3) === CLAIM_OVERWRITTEN) {
      losePage(c, bi, s);
      continue;
    }
    const r = Atomics.load(d32, pi + P_RES); // acquire
    if (r >>> TAG_SHIFT !== (s & TAG_MASK)) return null;
    const end = r & OFF_MASK;
    if (end !== cap && opts.partial !== true) return null;
    const from = ctl[bi + B_READ_OFF]!;
    let valid = from;
    let events = 0;
    while (valid < end) {
      const w0 = Atomics.load(d32, (page + PAGE_HDR + valid) >> 2); // acquire: committed header
      const st = recState(w0);
      if (st === ST_EMPTY || st === ST_BUSY) break;
      const len = recBytes(w0);
      if (valid + len > end) break;
      if (st === ST_DATA) events++;
      valid += len;
    }
    if (valid < end && opts.partial !== true) return null; // commits still in flight
    if (valid === from) {
      if (valid !== cap) return null;
      finishPage(c, bi, s, page, claim); // already read through consume(); move on
      continue;
    }
    const out = opts.into ?? new Uint8Array(S);
    out.fill(0);
    out.set(u8.subarray(page, page + PAGE_HDR + valid));
    if (Atomics.load(d32, pi + P_CLAIM) !== claim) continue; // acquire: recycled while copying; the top sees it
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    dv.setInt32(P_RES * 4, (r & ~OFF_MASK) | valid, true);
    dv.setInt32(P_COMMIT_LOCAL * 4, valid | (events << COMMIT_EVENT_SHIFT), true);
    dv.setInt32(P_COMMIT_REMOTE * 4, 0, true);
    if (from > 0) {
      dv.setInt32(PAGE_HDR, paddingWord(from), true);
      dv.setInt32(PAGE_HDR + 4, 0, true);
    }
    Atomics.store(ctl, bi + B_READ_K, ctl[bi + B_READ_K]! + events); // single writer: reader
    if (valid === cap) finishPage(c, bi, s, page, claim);
    else Atomics.store(ctl, bi + B_READ_OFF, valid); // single writer: reader
    Atomics.store(ctl, bi + B_READ_EVENTS, ctl[bi + B_READ_EVENTS]! + events); // single writer: reader
    let lostBefore = 0;
    const loss: PendingLoss = { reason: 'overrun', count: 0, field: 0 };
    while (pendingLoss(c, bi, true, loss)) {
      lostBefore += loss.count;
      reportLoss(c, bi, loss);
    }
    // Like ftrace's RB_MISSED_EVENTS, the copy carries its loss count in the header's spare word.
    dv.setUint32(P_MISSED_COPY * 4, Math.min(lostBefore, 0xffffffff), true);
    return { cpu, bytes: out, events, lostBefore };
  }
}
