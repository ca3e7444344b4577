// Shared benchmark reporting: candidate/baseline ratios measured in the same run, with spread
// and an environment line. A bare ops/s figure is never the result (STYLE.md §12).
import os from 'node:os';
import type { Bench } from 'tinybench';

/** Latency summary of one measured path, in nanoseconds per operation. */
export interface PathStats {
  readonly name: string;
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  /** Relative margin of error, percent. */
  readonly rmePct: number;
  readonly samples: number;
}

/** One ratio row: candidate against a baseline measured in the same run. */
export interface RatioRow {
  readonly candidate: string;
  readonly baseline: string;
  /** Target as a ratio bound, e.g. `{ op: '<=', value: 1.2 }`; undefined means "report". */
  readonly target?: { readonly op: '<=' | '>='; readonly value: number };
}

/** The environment line printed under every table. */
export function environmentLine(): string {
  const cpus = os.cpus();
  return `# env: node ${process.version}, ${os.platform()} ${os.release()}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
}

/** Summaries of every completed task of a tinybench Bench (ms → ns). Errored tasks throw. */
export function statsOf(bench: Bench): PathStats[] {
  const out: PathStats[] = [];
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state === 'errored') throw new Error(`bench task ${task.name} failed: ${r.error.message}`);
    if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') continue;
    out.push({
      name: task.name,
      meanNs: r.latency.mean * 1e6,
      p50Ns: r.latency.p50 * 1e6,
      p99Ns: r.latency.p99 * 1e6,
      rmePct: r.latency.rme,
      samples: r.latency.samplesCount,
    });
  }
  return out;
}

/** Summarise raw per-operation samples (ns) measured outside tinybench (e.g. inside workers). */
export function statsOfSamples(name: string, samplesNs: ArrayLike<number>): PathStats {
  const sorted = Float64Array.from(samplesNs).sort();
  const n = sorted.length;
  if (n === 0) throw new Error(`no samples for ${name}`);
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = sum / n;
  let varSum = 0;
  for (const x of sorted) varSum += (x - mean) ** 2;
  const sd = Math.sqrt(varSum / Math.max(1, n - 1));
  const q = (p: number): number => sorted[Math.min(n - 1, Math.floor(p * n))]!;
  return { name, meanNs: mean, p50Ns: q(0.5), p99Ns: q(0.99), rmePct: ((1.96 * sd) / Math.sqrt(n) / mean) * 100, samples: n };
}

function fmtNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

/** Print the per-path table and the ratio rows; returns the ratios (by p50 and mean) for callers that save JSON. */
export function printRatios(title: string, stats: readonly PathStats[], rows: readonly RatioRow[]): Array<{ row: RatioRow; meanRatio: number; p50Ratio: number; met: boolean | undefined }> {
  const byName = new Map(stats.map((s) => [s.name, s]));
  console.log(`\n## ${title}`);
  console.log('| path | mean | p50 | p99 | ±rme | samples |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const s of stats) {
    console.log(`| ${s.name} | ${fmtNs(s.meanNs)} | ${fmtNs(s.p50Ns)} | ${fmtNs(s.p99Ns)} | ${s.rmePct.toFixed(1)}% | ${s.samples} |`);
  }
  const results: Array<{ row: RatioRow; meanRatio: number; p50Ratio: number; met: boolean | undefined }> = [];
  console.log('\n| candidate / baseline | ratio (mean) | ratio (p50) | target | met |');
  console.log('|---|---:|---:|---:|:---:|');
  for (const row of rows) {
    const c = byName.get(row.candidate);
    const b = byName.get(row.baseline);
    if (c === undefined || b === undefined) throw new Error(`ratio row needs both ${row.candidate} and ${row.baseline}`);
    const meanRatio = c.meanNs / b.meanNs;
    const p50Ratio = c.p50Ns / b.p50Ns;
    const met = row.target === undefined ? undefined : row.target.op === '<=' ? p50Ratio <= row.target.value : p50Ratio >= row.target.value;
    const target = row.target === undefined ? 'report' : `${row.target.op} ${row.target.value}×`;
    console.log(`| ${row.candidate} / ${row.baseline} | ${meanRatio.toFixed(2)}× | ${p50Ratio.toFixed(2)}× | ${target} | ${met === undefined ? '–' : met ? 'yes' : 'NO'} |`);
    results.push({ row, meanRatio, p50Ratio, met });
  }
  console.log(environmentLine());
  return results;
}
