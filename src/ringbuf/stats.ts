// Per-CPU statistics, as ftrace's per_cpu/cpuN/stats (trace.c: tracing_stats_read).
// Runs in any thread. Counters are read with Atomics.load and the unread part of the buffer is
// walked without consuming it; everything is stale-ok (a snapshot that may be a few events late).
import { type RingCore, bankIdx, pageAddr } from './core.js';
import { u32Diff } from './cursor.js';
import {
  ABS_FLAG, B_COMMIT_OVERRUN, B_DEAD_BYTES, B_DEAD_EVENTS, B_DROPPED, B_OVERRUN_CORR, B_OVERRUN_RAW,
  B_READ_EVENTS, B_READ_OFF, B_READ_SEQ, B_TAIL, CLAIM_OVERWRITTEN, OFF_MASK, P_BASE_TS64, P_CLAIM,
  P_RES, PAGE_HDR, ST_BUSY, ST_DATA, ST_EMPTY, TAG_MASK, TAG_SHIFT, recBytes, recState, seqDiff,
} from './layout.js';

/** One CPU buffer's counters (u32, wrapping). */
export interface RingCpuStats {
  /** Committed events in the buffer not read yet. */
  readonly entries: number;
  /** Events lost because their page was overwritten before the reader got to them. */
  readonly overrun: number;
  /** Reserves dropped because the next page still had commits in flight. */
  readonly commitOverrun: number;
  /** Bytes of committed records not read yet (headers included). */
  readonly bytes: number;
  /** Timestamp of the oldest unread event, or null when there is none. */
  readonly oldestEventTsNs: number | null;
  readonly nowTsNs: number;
  /** Reserves dropped: discard mode with a full buffer, or a page that stayed unopened too long. */
  readonly droppedEvents: number;
  readonly readEvents: number;
  /** Reservations of writers declared dead, turned into padding by repairDeadWriter. */
  readonly deadWriterEvents: number;
  readonly deadWriterBytes: number;
}

/** Snapshot the stats of (cpu, bank). */
export function cpuStats(c: RingCore, cpu: number, bank: number, nowTsNs: number): RingCpuStats {
  const { ctl, d32 } = c;
  const bi = bankIdx(c, cpu, bank);
  let entries = 0;
  let bytes = 0;
  let oldest: number | null = null;
  const tail = Atomics.load(ctl, bi + B_TAIL); // stale-ok
  let s = Atomics.load(ctl, bi + B_READ_SEQ); // stale-ok
  let from = Atomics.load(ctl, bi + B_READ_OFF); // stale-ok
  if (seqDiff(tail, s) >= c.params.subbufsPerCpu) {
    s = (tail - c.params.subbufsPerCpu + 1) & 0x3fffffff;
    from = 0;
  }
  for (; seqDiff(tail, s) >= 0; s = (s + 1) & 0x3fffffff, from = 0) {
    const page = pageAddr(c, cpu, bank, s & c.nMask);
    const pi = page >> 2;
    const claim = Atomics.load(d32, pi + P_CLAIM); // acquire
    if (claim >>> 2 !== s || (claim & 3) === CLAIM_OVERWRITTEN) continue;
    const r = Atomics.load(d32, pi + P_RES); // acquire
    if (r >>> TAG_SHIFT !== (s & TAG_MASK)) continue;
    const end = r & OFF_MASK;
    for (let off = from; off < end;) {
      const rec = page + PAGE_HDR + off;
      const w0 = Atomics.load(d32, rec >> 2); // acquire: committed header
      const st = recState(w0);
      if (st === ST_EMPTY || st === ST_BUSY) break;
      const len = recBytes(w0);
      if (st === ST_DATA) {
        entries++;
        bytes += len;
        if (oldest === null) oldest = (w0 & ABS_FLAG) !== 0 ? c.d64[(rec >> 3) + 1]! : c.d64[(page >> 3) + P_BASE_TS64]! + d32[(rec >> 2) + 1]!;
      }
      off += len;
    }
  }
  return {
    entries,
    overrun: u32Diff(Atomics.load(ctl, bi + B_OVERRUN_RAW), Atomics.load(ctl, bi + B_OVERRUN_CORR)), // stale-ok
    commitOverrun: Atomics.load(ctl, bi + B_COMMIT_OVERRUN) >>> 0, // stale-ok
    bytes,
    oldestEventTsNs: oldest,
    nowTsNs,
    droppedEvents: Atomics.load(ctl, bi + B_DROPPED) >>> 0, // stale-ok
    readEvents: Atomics.load(ctl, bi + B_READ_EVENTS) >>> 0, // stale-ok
    deadWriterEvents: Atomics.load(ctl, bi + B_DEAD_EVENTS) >>> 0, // stale-ok
    deadWriterBytes: Atomics.load(ctl, bi + B_DEAD_BYTES) >>> 0, // stale-ok
  };
}

function secs(ns: number): string {
  return (ns / 1e9).toFixed(6);
}

/** The text of per_cpu/cpuN/stats. */
export function formatStats(st: RingCpuStats): string {
  return [
    `entries: ${st.entries}`,
    `overrun: ${st.overrun}`,
    `commit overrun: ${st.commitOverrun}`,
    `bytes: ${st.bytes}`,
    `oldest event ts: ${secs(st.oldestEventTsNs ?? 0)}`,
    `now ts: ${secs(st.nowTsNs)}`,
    `dropped events: ${st.droppedEvents}`,
    `read events: ${st.readEvents}`,
    `dead writer events: ${st.deadWriterEvents}`,
    '',
  ].join('\n');
}
