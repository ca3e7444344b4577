// Shared formatting of timerlat results (rtla utils.c get_duration, the %9llu columns, the missed
// events line) and the ALL merge over CPUs that top, hist, JSON and HTML all print.
// Presentation only: pure functions over a TimerlatResult.
import type { ContextResult, CpuResult, HistogramLayout, TimerlatContext, TimerlatResult } from './timerlat-types.js';

/** rtla's get_duration: `%3d %02d:%02d:%02d` (days, hours, minutes, seconds). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${String(d).padStart(3)} ${two(h)}:${two(m)}:${two(s % 60)}`;
}

/** A latency in the output unit, truncated as rtla's integer division does (ns / 1000 for µs). */
export function inUnit(ns: number, nano: boolean): number {
  return nano ? Math.floor(ns) : Math.floor(ns / 1000);
}

/** `%9llu` of a latency, or rtla's `        -` when there is none. */
export function col9(ns: number | null, nano: boolean): string {
  return ns === null ? '        -' : String(inUnit(ns, nano)).padStart(9);
}

/** Merge every CPU's context into one (rtla's ALL row), with percentiles from the summed histogram. */
export function mergeContext(cpus: readonly CpuResult[], ctx: TimerlatContext, layout: HistogramLayout): ContextResult {
  const parts = cpus.map((c) => c[ctx]).filter((p) => p.summary.count > 0);
  const n = layout.lowUs.length;
  const hist = new Array<number>(n).fill(0);
  for (const p of parts) for (let b = 0; b < n; b++) hist[b]! += p.hist[b] ?? 0;
  const count = parts.reduce((a, p) => a + p.summary.count, 0);
  if (count === 0) {
    return { hist, sumNs: 0, summary: { count: 0, minNs: null, avgNs: null, maxNs: null, curNs: null, stddevNs: null, p50Ns: null, p90Ns: null, p99Ns: null, p999Ns: null } };
  }
  // Count, mean and spread all come from the summaries (each one consistent read of its record), so
  // the pooled mean lies between the rows' means and the pooled E[x²] matches it; mixing in a sum
  // read at another moment gave an ALL avg above the max and a clamped stddev of 0. The histogram
  // only ranks the percentiles.
  const sumNs = parts.reduce((a, p) => a + p.summary.count * (p.summary.avgNs ?? 0), 0);
  const avg = sumNs / count;
  // Pooled variance: E[x²] over all samples minus the pooled mean squared.
  const ex2 = parts.reduce((a, p) => a + p.summary.count * ((p.summary.stddevNs ?? 0) ** 2 + (p.summary.avgNs ?? 0) ** 2), 0) / count;
  const maxNs = Math.max(...parts.map((p) => p.summary.maxNs ?? 0));
  const histCount = hist.reduce((a, n) => a + n, 0); // the rank comes from the histogram itself
  const pct = (q: number): number => percentileFromHist(hist, layout, histCount, q, maxNs);
  return {
    hist,
    sumNs,
    summary: {
      count,
      minNs: Math.min(...parts.map((p) => p.summary.minNs ?? Infinity)),
      avgNs: avg,
      maxNs,
      curNs: null,
      stddevNs: Math.sqrt(Math.max(0, ex2 - avg * avg)),
      p50Ns: pct(0.5),
      p90Ns: pct(0.9),
      p99Ns: pct(0.99),
      p999Ns: pct(0.999),
    },
  };
}

/** The latency below which a fraction q of samples fall: the bucket's upper bound, capped at the max. */
export function percentileFromHist(hist: readonly number[], layout: HistogramLayout, count: number, q: number, maxNs: number): number {
  const rank = Math.ceil(q * count);
  let seen = 0;
  for (let b = 0; b < hist.length; b++) {
    seen += hist[b]!;
    if (seen >= rank) return Math.min(layout.highUs[b]! * 1000, maxNs);
  }
  return maxNs;
}

/** CPUs that have data (rtla skips CPUs with neither irq nor thread samples). */
export function cpusWithData(r: TimerlatResult): CpuResult[] {
  return r.cpus.filter((c) => c.irq.summary.count > 0 || c.thread.summary.count > 0);
}

/**
 * The loss lines: rtla's `N (x%) events missed` when trace events were lost, and tracelab's line that
 * is always printed, so a zero is stated rather than implied; then the timer slack the lab's threads
 * ran with, which bounds how late the host may fire a timer on purpose.
 */
export function formatLoss(r: TimerlatResult): string[] {
  const overrun = r.loss.reduce((a, l) => a + l.overrun, 0);
  const commit = r.loss.reduce((a, l) => a + l.commitOverrun, 0);
  const dropped = r.loss.reduce((a, l) => a + l.dropped, 0);
  const skipped = r.cpus.reduce((a, c) => a + c.skipped, 0);
  const noWaiter = r.cpus.reduce((a, c) => a + c.noWaiter, 0);
  const samples = r.cpus.reduce((a, c) => a + c.irq.summary.count + c.thread.summary.count + c.user.summary.count, 0);
  const out: string[] = [];
  const missed = overrun + commit + dropped;
  if (missed > 0) out.push(`${missed} (${((100 * missed) / (samples + missed)).toFixed(2)}%) events missed, results might not be accurate`);
  out.push(`# trace events lost: ${overrun} overwritten, ${commit} commit overrun, ${dropped} dropped; skipped periods: ${skipped}; wake-ups without a waiter: ${noWaiter}; samples counted: ${samples} (statistics are kept in shared per-CPU counters and lose no traced sample)`);
  const slack = r.machine.timerSlackNs;
  out.push(`# timer slack: ${slack === null ? 'unknown (no /proc/TID/timerslack_ns)' : `${slack} ns`}`);
  return out;
}

/** Percentile and spread rows, in print order: `label` for top's header, `row` (6 wide) for hist's index column. */
export const EXTRA_ROWS = [
  { label: 'p50', row: 'p50:  ', key: 'p50Ns' },
  { label: 'p90', row: 'p90:  ', key: 'p90Ns' },
  { label: 'p99', row: 'p99:  ', key: 'p99Ns' },
  { label: 'p99.9', row: 'p99.9:', key: 'p999Ns' },
  { label: 'stddev', row: 'stdev:', key: 'stddevNs' },
] as const;
