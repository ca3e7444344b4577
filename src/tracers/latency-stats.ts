// The per-CPU, per-context latency accumulator in shared memory (rtla's osnoise_hist/timerlat_top
// per-cpu data, kept in SAB so the CLI reads it while collection runs). One record per (cpu, context);
// each record has exactly one writer (the CPU actor for irq and kernel-mode thread and user-ret, the
// fd-holding task for user-mode thread) and any number of readers, ordered by a seqcount.
import { readConsistent, writeBegin, writeEnd } from '../shm/seqcount.js';

/** Sample contexts, as the timerlat_sample event's `context` field. */
export const Ctx = { IRQ: 0, THREAD: 1, USER: 2 } as const;
export type CtxId = (typeof Ctx)[keyof typeof Ctx];
export const CTX_NAMES = ['irq', 'thread', 'user-ret'] as const;
export type CtxName = (typeof CTX_NAMES)[number];

/** Linear 1 µs buckets below this many µs. */
export const LINEAR_BUCKETS = 1024;
/** Sub-buckets per power of two above LINEAR_BUCKETS µs (log-linear, as HdrHistogram): widths of 1/64 of the octave. */
export const SUB_BUCKETS = 64;
/** Octaves [2^k, 2^(k+1)) µs for k = 10..31; latencies of 2^32 µs (71 min) and more land in the last bucket. */
export const OCTAVES = 22;
export const LOG_BUCKETS = SUB_BUCKETS * OCTAVES;
export const BUCKETS = LINEAR_BUCKETS + LOG_BUCKETS;

/*
 * Why log-linear above 1 ms, and what it costs: a percentile is read from its bucket's upper bound,
 * so plain power-of-two buckets made every p99.9 between 4 and 8 ms print as 8192 µs. 64 sub-buckets
 * per octave bound that error to 1/64 (1.6 %) of the value, like HdrHistogram with two significant
 * digits. The record grows from 4.3 KiB to 9.6 KiB per (cpu, context); recording stays one clz32,
 * one shift and one increment.
 */

/*
 * One record, RECORD_I32 Int32 words (9792 bytes, a multiple of 64 so records never share a line):
 *
 * | i32 off | type     | meaning                                         |
 * |--------:|----------|-------------------------------------------------|
 * | 0       | i32      | seqcount (odd while the writer updates)         |
 * | 1       | —        | padding: the f64 block starts 8-aligned         |
 * | 2 (f64 1) | f64    | count                                           |
 * | 4 (f64 2) | f64    | sum of latencies, ns                            |
 * | 6 (f64 3) | f64    | sum of squares, ns²                             |
 * | 8 (f64 4) | f64    | min ns (+Inf before the first sample)           |
 * | 10 (f64 5)| f64    | max ns                                          |
 * | 12 (f64 6)| f64    | cur: the last sample, ns                        |
 * | 14..15  | —        | padding                                         |
 * | 16..    | i32×2432 | histogram: 1024 × 1 µs, then 22 octaves × 64 µs |
 */
export const RECORD_I32 = 16 + BUCKETS; // 2448 words, 9792 bytes: a multiple of 64
const F_COUNT = 1;
const F_SUM = 2;
const F_SUMSQ = 3;
const F_MIN = 4;
const F_MAX = 5;
const F_CUR = 6;
const HIST = 16;

/** Bucket index of a latency. */
export function bucketOf(ns: number): number {
  const us = Math.floor(ns / 1000);
  if (us < LINEAR_BUCKETS) return us < 0 ? 0 : us;
  if (us >= 2 ** (10 + OCTAVES)) return BUCKETS - 1;
  const k = 31 - Math.clz32(us); // 10..31: us < 2^32 here, so clz32 sees it whole
  // us >>> (k - 6) is in [64, 128): its low 6 bits are the sub-bucket.
  return LINEAR_BUCKETS + (k - 10) * SUB_BUCKETS + ((us >>> (k - 6)) & (SUB_BUCKETS - 1));
}

/** Lower bound of a bucket in µs. */
export function bucketLowUs(b: number): number {
  if (b < LINEAR_BUCKETS) return b;
  const j = b - LINEAR_BUCKETS;
  const k = 10 + Math.floor(j / SUB_BUCKETS);
  return 2 ** k + (j % SUB_BUCKETS) * 2 ** (k - 6);
}

/** Upper bound (exclusive) of a bucket in µs. */
export function bucketHighUs(b: number): number {
  if (b < LINEAR_BUCKETS) return b + 1;
  const k = 10 + Math.floor((b - LINEAR_BUCKETS) / SUB_BUCKETS);
  return bucketLowUs(b) + 2 ** (k - 6);
}

/** Bounds of every bucket in µs: bucket b holds [lowUs[b], highUs[b]). */
export function bucketBounds(): { lowUs: number[]; highUs: number[] } {
  const lowUs: number[] = [];
  const highUs: number[] = [];
  for (let b = 0; b < BUCKETS; b++) {
    lowUs.push(bucketLowUs(b));
    highUs.push(bucketHighUs(b));
  }
  return { lowUs, highUs };
}

/** Views of the accumulator region; `base(cpu, ctx)` is a record's first i32 index. */
export interface StatsShm {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  base(cpu: number, ctx: CtxId): number;
}

/** Views over `sab` starting at byte `offset`, for `cpus` CPUs. */
export function statsViews(sab: SharedArrayBuffer, offset: number, cpus: number): StatsShm {
  const i32 = new Int32Array(sab, offset, cpus * 3 * RECORD_I32);
  const f64 = new Float64Array(sab, offset, (cpus * 3 * RECORD_I32) / 2);
  return { i32, f64, base: recordBase };
}

// One function for every region (not a closure per region): the hot path's call site then sees a
// single target in every thread, including the CPU actor's timerlat rehearsal (actors/cpu.ts).
function recordBase(cpu: number, ctx: CtxId): number {
  return (cpu * 3 + ctx) * RECORD_I32;
}

/** Bytes the accumulator needs for `cpus` CPUs. */
export function statsBytes(cpus: number): number {
  return cpus * 3 * RECORD_I32 * 4;
}

/** Reset every record (control plane, while nothing writes). */
export function resetStats(s: StatsShm, cpus: number): void {
  s.i32.fill(0);
  for (let c = 0; c < cpus; c++) for (let x = 0; x < 3; x++) s.f64[(s.base(c, x as CtxId) >> 1) + F_MIN] = Infinity;
}

/** Record one sample. Single writer per (cpu, ctx); no allocation. */
export function recordSample(s: StatsShm, cpu: number, ctx: CtxId, ns: number): void {
  const b = s.base(cpu, ctx);
  const f = b >> 1;
  const f64 = s.f64;
  writeBegin(s.i32, b);
  f64[f + F_COUNT]! += 1;
  f64[f + F_SUM]! += ns;
  f64[f + F_SUMSQ]! += ns * ns;
  f64[f + F_MIN] = Math.min(f64[f + F_MIN]!, ns); // branch-free: a first new minimum must not deoptimise the path (actors/cpu.ts: rehearsal)
  f64[f + F_MAX] = Math.max(f64[f + F_MAX]!, ns);
  f64[f + F_CUR] = ns;
  s.i32[b + HIST + bucketOf(ns)]! += 1;
  writeEnd(s.i32, b); // publish
}

/** A consistent snapshot of one record. */
export interface LatencySnapshot {
  readonly count: number;
  readonly sumNs: number;
  readonly sumSqNs: number;
  readonly minNs: number;
  readonly maxNs: number;
  readonly curNs: number;
  readonly hist: Int32Array;
}

/** Read one record without pausing its writer (retries while it writes). */
export function readSample(s: StatsShm, cpu: number, ctx: CtxId): LatencySnapshot {
  const b = s.base(cpu, ctx);
  const f = b >> 1;
  return readConsistent(s.i32, b, () => ({
    count: s.f64[f + F_COUNT]!,
    sumNs: s.f64[f + F_SUM]!,
    sumSqNs: s.f64[f + F_SUMSQ]!,
    minNs: s.f64[f + F_MIN]!,
    maxNs: s.f64[f + F_MAX]!,
    curNs: s.f64[f + F_CUR]!,
    hist: s.i32.slice(b + HIST, b + HIST + BUCKETS),
  })).value;
}

/** Summary of one (cpu, context): what `top` and `hist` print. Percentiles come from the histogram (1 µs below 1 ms, 1/64 of the value above). */
export interface LatencySummary {
  readonly count: number;
  readonly minNs: number | null;
  readonly avgNs: number | null;
  readonly maxNs: number | null;
  readonly curNs: number | null;
  readonly stddevNs: number | null;
  readonly p50Ns: number | null;
  readonly p90Ns: number | null;
  readonly p99Ns: number | null;
  readonly p999Ns: number | null;
}

/** The value below which a fraction `q` of samples fall, in ns (bucket upper bound, capped at max). */
export function percentileNs(s: LatencySnapshot, q: number): number | null {
  if (s.count === 0) return null;
  const rank = Math.ceil(q * s.count);
  let seen = 0;
  for (let b = 0; b < BUCKETS; b++) {
    seen += s.hist[b]!;
    if (seen >= rank) return Math.min(bucketHighUs(b) * 1000, s.maxNs);
  }
  return s.maxNs;
}

/** Summarise a snapshot. */
export function summarize(s: LatencySnapshot): LatencySummary {
  if (s.count === 0) return { count: 0, minNs: null, avgNs: null, maxNs: null, curNs: null, stddevNs: null, p50Ns: null, p90Ns: null, p99Ns: null, p999Ns: null };
  const avg = s.sumNs / s.count;
  const variance = Math.max(0, s.sumSqNs / s.count - avg * avg);
  return {
    count: s.count,
    minNs: s.minNs,
    avgNs: avg,
    maxNs: s.maxNs,
    curNs: s.curNs,
    stddevNs: Math.sqrt(variance),
    p50Ns: percentileNs(s, 0.5),
    p90Ns: percentileNs(s, 0.9),
    p99Ns: percentileNs(s, 0.99),
    p999Ns: percentileNs(s, 0.999),
  };
}
