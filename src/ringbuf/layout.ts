// Per-CPU trace ring buffer layout (kernel/trace/ring_buffer.c: buffer_data_page, rb_event; LTTng
// lib/ringbuffer: per-sub-buffer commit counters). Pure: runs in every thread, no Atomics here.
// One shared WebAssembly.Memory (src/shm/wasm.ts says why): `ctl` (params, per-CPU and per-bank
// control words) at byte 0, and `data` (the pages) from `dataOffset`. Every offset
// used elsewhere comes from this file; the ordering argument for each word is in docs/ringbuf.md.
import { defineLayout, type Layout } from '../shm/layout.js';
import { kerr } from '../errno.js';

/** Magic of the control region ("RBUF"). */
export const RING_MAGIC = 0x52425546;
/** Layout version; bump on any change of the tables below. */
export const RING_VERSION = 4;

/** Overwrite: the oldest page is recycled (flight recorder). Discard: a full buffer drops new events. */
export type RingMode = 'overwrite' | 'discard';

/*
 * ── Page (sub-buffer) header, at the start of every page in `data` ─────────────────────────────
 * offset | size | type | written by                    | read by             | meaning
 *      0 |    4 | i32  | writers (CAS), advancer       | writers, reader     | RES: bit 31 = 0; bits 16..30 tag (= seq & 0x7fff);
 *        |      |      |                               |                     | bits 0..15 bytes reserved in the data area; = CAP when closed
 *      4 |    4 | i32  | owning CPU actor only         | advancer, reader    | COMMIT_LOCAL: by the CPU's own actor: bits 0..15 bytes committed,
 *        |      |      |                               |                     | bits 16..29 data events committed (padding adds bytes only)
 *      8 |    4 | i32  | any other thread (Atomics.add)| advancer, reader    | COMMIT_REMOTE: the same two fields, from elsewhere (+ repair, bytes only)
 *     12 |    4 | i32  | advancer, reader (CAS)        | everyone            | CLAIM: (seq << 2) | state, state 0 open, 1 consumed, 2 overwritten
 *     16 |    8 | f64  | advancer                      | writers, reader     | BASE_TS: ns timestamp the record deltas are relative to
 *     24 |    4 | i32  | advancer                      | repair              | INIT_BY: writer id of the thread that opened this page
 *     28 |    4 |  -   | -                             | -                   | padding (8-byte aligned data); a consumePage copy stores lostBefore here
 *     32 |  ... | u8[] | writers                       | reader              | data area: records, CAP = subbufSize - 32 bytes
 * A page is complete when the byte fields of COMMIT_LOCAL + COMMIT_REMOTE == RES bytes (sums of record lengths);
 * its data events are then the sum of the event fields (a page holds at most 65504 / 8 < 2^14 records).
 *
 * ── Record header, 8 bytes, every record 8-byte aligned ─────────────────────────────────────────
 * offset | size | meaning
 *      0 |    4 | W0: bits 0..15 payload bytes; 16..23 type; 24..26 state (0 empty/unwritten, 1 busy =
 *        |      |     reserved not committed, 2 data, 3 padding, 4 dead-writer padding); bit 27 ABS; 28..31 zero
 *      4 |    4 | W1: busy → the reserving writer's id; data → signed ns delta from BASE_TS (0 when ABS)
 *      8 |    8 | only when ABS: f64 absolute timestamp (ns), used when the delta does not fit an i32
 *  8/16 |    n | payload (n = W0 bits 0..15), then zero fill to the next 8-byte boundary
 * Padding records (state 3/4) cover `8 + payload bytes` with no payload meaning.
 */
export const PAGE_HDR = 32;
export const P_RES = 0; // i32 index within the page
export const P_COMMIT_LOCAL = 1;
export const P_COMMIT_REMOTE = 2;
export const P_CLAIM = 3;
export const P_BASE_TS64 = 2; // f64 index within the page (byte 16)
export const P_INIT_BY = 6;
/** COMMIT_LOCAL/REMOTE fields: bytes in bits 0..15, data events from bit 16 (one commit adds `bytes + COMMIT_EVENT`). */
export const COMMIT_BYTES_MASK = 0xffff;
export const COMMIT_EVENT_SHIFT = 16;
export const COMMIT_EVENT = 1 << COMMIT_EVENT_SHIFT;

export const REC_HDR = 8;
export const ST_EMPTY = 0;
export const ST_BUSY = 1;
export const ST_DATA = 2;
export const ST_PAD = 3;
export const ST_DEAD = 4;
export const ST_SHIFT = 24;
export const ABS_FLAG = 1 << 27;
export const LEN_MASK = 0xffff;
export const TYPE_SHIFT = 16;
export const OFF_MASK = 0xffff;
export const TAG_MASK = 0x7fff;
export const TAG_SHIFT = 16;

export const CLAIM_OPEN = 0;
export const CLAIM_CONSUMED = 1;
export const CLAIM_OVERWRITTEN = 2;

/** Page sequence numbers are 30-bit and wrap; compare them only with `seqDiff`. */
export const SEQ_MASK = 0x3fffffff;
/** Signed difference a - b of two 30-bit sequence numbers. */
export function seqDiff(a: number, b: number): number {
  return ((a - b) << 2) >> 2;
}

/** State bits of a record's first header word. */
export function recState(w0: number): number {
  return (w0 >>> ST_SHIFT) & 7;
}
/** Total bytes of a record (header, optional absolute stamp, payload, alignment) from its W0. */
export function recBytes(w0: number): number {
  return (REC_HDR + ((w0 & ABS_FLAG) !== 0 ? 8 : 0) + (w0 & LEN_MASK) + 7) & ~7;
}

/*
 * ── Control region `ctl` (Int32 words after the shm header) ─────────────────────────────────────
 * field  | words            | meaning
 * params | 8                | cpus, subbufSize, subbufsPerCpu, mode (0 overwrite, 1 discard), banks, 3 spare
 * cpu    | cpus × 16        | per CPU block, 64 bytes apart (not line-aligned: the region starts after the shm header):
 *        |                  |  +0 LIVE (bank writers reserve in; control plane, Atomics.xor)
 *        |                  |  +1 WAITERS (readers blocked in waitForData; RMW only)
 *        |                  |  +2 WAKE (sequence word readers sleep on; writers kick it)
 *        |                  |  +3 WATERMARK_PAGES (the waiting reader's watermark; single writer: reader)
 * bank   | cpus×banks × 32  | per bank block, 128 bytes: writer words first, reader words second
 *        |                  |  +0 TAIL (seq of the page writers reserve in; CAS by the advancer)
 *        |                  |  +1 OVERRUN_RAW (events in pages recycled unread; RMW only)
 *        |                  |  +2 DROPPED (discard-full and stalled reserves; RMW only)
 *        |                  |  +3 COMMIT_OVERRUN (reserves dropped because the next page had commits in flight; RMW only)
 *        |                  |  +4 DEAD_EVENTS, +5 DEAD_BYTES (reservations turned into padding by repair; RMW only)
 *        |                  | 16 READ_SEQ (reader's page; single writer: reader; writers read it in discard mode)
 *        |                  | 17 READ_OFF, 18 READ_K (events read from READ_SEQ's page), 19 OVERRUN_CORR (events counted
 *        |                  |    in OVERRUN_RAW that the reader had read anyway), 20 OVERRUN_REPORTED, 21 DROPPED_REPORTED,
 *        |                  |    22 DEAD_REPORTED, 23 READ_EVENTS, 24 COMMIT_OVERRUN_REPORTED: all single writer: reader
 *        |                  | 25..31 spare (zero)
 * Counters are u32 and wrap; every consumer takes differences modulo 2^32.
 */
export const CPU_WORDS = 16;
export const C_LIVE = 0;
export const C_WAITERS = 1;
export const C_WAKE = 2;
export const C_WATERMARK = 3;

export const BANK_WORDS = 32;
export const B_TAIL = 0;
export const B_OVERRUN_RAW = 1;
export const B_DROPPED = 2;
export const B_COMMIT_OVERRUN = 3;
export const B_DEAD_EVENTS = 4;
export const B_DEAD_BYTES = 5;
export const B_READ_SEQ = 16;
export const B_READ_OFF = 17;
export const B_READ_K = 18;
export const B_OVERRUN_CORR = 19;
export const B_OVERRUN_REPORTED = 20;
export const B_DROPPED_REPORTED = 21;
export const B_DEAD_REPORTED = 22;
export const B_READ_EVENTS = 23;
export const B_COMMIT_OVERRUN_REPORTED = 24;

export const PARAM_WORDS = 8;

/** Validated geometry of one ring. */
export interface RingParams {
  readonly cpus: number;
  readonly subbufSize: number;
  readonly subbufsPerCpu: number;
  readonly mode: RingMode;
  /** 1, or 2 when every CPU has a spare buffer for `swapCpu`. */
  readonly banks: 1 | 2;
}

/** Options of `RingBuffer.create`. */
export interface RingCreateOptions {
  /** Number of CPUs (per-CPU buffers). Whole number in 1..1024. */
  readonly cpus: number;
  /** Bytes per sub-buffer (page), header included: a power of two in 256..65536. @default 4096 */
  readonly subbufSize?: number;
  /** Sub-buffers per CPU: a power of two in 2..16384. @default 16, or derived from bufferSizeKb */
  readonly subbufsPerCpu?: number;
  /** Per-CPU size in KiB (like ftrace's buffer_size_kb); rounded up to a power-of-two page count. */
  readonly bufferSizeKb?: number;
  /** @default 'overwrite' (ftrace's default) */
  readonly mode?: RingMode;
  /** Allocate a spare buffer per CPU so `swapCpu` can exchange them. @default false */
  readonly spare?: boolean;
}

export const MIN_SUBBUF = 256;
export const MAX_SUBBUF = 65536;
export const MAX_SUBBUFS = 16384;
export const MAX_CPUS = 1024;

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Check options and compute the geometry; every bad value is a KernelError naming the fix. */
export function validateParams(o: RingCreateOptions): RingParams {
  const bad = (field: string, why: string): never => {
    throw kerr('EINVAL', 'ring_buffer_alloc', field, why);
  };
  if (o === null || typeof o !== 'object') bad('options', 'pass { cpus, subbufSize?, subbufsPerCpu? | bufferSizeKb?, mode? }');
  const { cpus } = o;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) bad('cpus', `must be a whole number in 1..${MAX_CPUS}, got ${String(cpus)}`);
  const subbufSize = o.subbufSize ?? 4096;
  if (!isPow2(subbufSize)) bad('subbufSize', `must be a power of two ≥ ${MIN_SUBBUF}, got ${String(subbufSize)}`);
  if (subbufSize < MIN_SUBBUF) bad('subbufSize', `must be at least ${MIN_SUBBUF} bytes, got ${subbufSize}`);
  if (subbufSize > MAX_SUBBUF) bad('subbufSize', `must be at most ${MAX_SUBBUF} bytes, got ${subbufSize}`);
  if (o.subbufsPerCpu !== undefined && o.bufferSizeKb !== undefined) bad('bufferSizeKb', 'give subbufsPerCpu or bufferSizeKb, not both');
  let n: number;
  if (o.bufferSizeKb !== undefined) {
    const kb = o.bufferSizeKb;
    if (!Number.isInteger(kb) || kb <= 0) bad('bufferSizeKb', `must be a whole number of KiB > 0, got ${String(kb)}`);
    const pages = Math.max(2, Math.ceil((kb * 1024) / subbufSize));
    n = 2 ** Math.ceil(Math.log2(pages));
  } else {
    n = o.subbufsPerCpu ?? 16;
    if (!isPow2(n)) bad('subbufsPerCpu', `must be a power of two ≥ 2, got ${String(n)}`);
  }
  if (n < 2) bad('subbufsPerCpu', `must be at least 2, got ${n}`);
  if (n > MAX_SUBBUFS) bad('subbufsPerCpu', `must be at most ${MAX_SUBBUFS}, got ${n}`);
  const mode = o.mode ?? 'overwrite';
  if (mode !== 'overwrite' && mode !== 'discard') bad('mode', `must be 'overwrite' or 'discard', got ${String(mode)}`);
  const banks = o.spare === true ? 2 : 1;
  const bytes = cpus * banks * n * subbufSize;
  // The whole memory (control words, then pages) must fit a 2 GiB shared WebAssembly.Memory.
  if (dataOffset({ cpus, banks }) + bytes > 2 ** 31) throw kerr('E2BIG', 'ring_buffer_alloc', 'bufferSizeKb', `total ${bytes} bytes of pages plus control words exceeds 2 GiB; use fewer CPUs or pages`);
  return { cpus, subbufSize, subbufsPerCpu: n, mode, banks };
}

/** Largest payload one reserve can take: a page's data area minus a header and an absolute stamp. */
export function maxPayload(subbufSize: number): number {
  return subbufSize - PAGE_HDR - REC_HDR - 8;
}

/** The control-region layout of a geometry (field counts depend on cpus and banks). */
export function ctlLayout(p: Pick<RingParams, 'cpus' | 'banks'>): Layout<'params' | 'cpu' | 'bank'> {
  return defineLayout('ringbuf.ctl', RING_MAGIC, RING_VERSION, {
    params: { kind: 'i32', count: PARAM_WORDS },
    cpu: { kind: 'i32', count: p.cpus * CPU_WORDS },
    bank: { kind: 'i32', count: p.cpus * p.banks * BANK_WORDS },
  });
}

/** Bytes of the data region. */
export function dataBytes(p: RingParams): number {
  return p.cpus * p.banks * p.subbufsPerCpu * p.subbufSize;
}

/**
 * Byte offset of the data region in the ring's memory: the control region comes first, and the
 * pages start on the next 64-byte (cache-line) boundary, so no line holds both control words and data.
 */
export function dataOffset(p: Pick<RingParams, 'cpus' | 'banks'>): number {
  return Math.ceil(ctlLayout(p).BYTES / 64) * 64;
}
