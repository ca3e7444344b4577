// `tracelab timerlat hist` output, laid out as rtla's timerlat_hist.c (timerlat_hist_header,
// timerlat_print_stats, timerlat_print_summary, timerlat_print_stats_all), then tracelab's rows
// (p50..p99.9, stddev, skipped) and the loss line. Presentation only: renders a TimerlatResult.
// The collected histogram has 1 µs buckets below 1024 µs and power-of-two buckets above; it is
// re-bucketed here to -b/-E (a wide bucket lands at its lower bound) or, with --log-buckets, to
// power-of-two rows.
import { EXTRA_ROWS, col9, cpusWithData, formatDuration, formatLoss, mergeContext } from './timerlat-format.js';
import type { ContextResult, CpuResult, HistogramLayout, TimerlatContext, TimerlatResult } from './timerlat-types.js';

/** Options of {@link renderTimerlatHist} (rtla's hist flags). */
export interface HistRenderOptions {
  readonly noIrq?: boolean;
  readonly noThread?: boolean;
  readonly noHeader?: boolean;
  readonly noSummary?: boolean;
  readonly noIndex?: boolean;
  readonly withZeros?: boolean;
}

/** Rows of a re-bucketed histogram: `index` values (in the output unit) and one count per row, plus `over`. */
export interface Rebucketed {
  readonly index: readonly number[];
  readonly counts: readonly number[];
  readonly over: number;
}

/** Re-bucket native counts into `entries` buckets of `bucketSize` output units (rtla -b/-E); beyond goes to over. */
export function rebucketLinear(hist: readonly number[], layout: HistogramLayout, bucketSize: number, entries: number, nano: boolean): Rebucketed {
  const counts = new Array<number>(entries).fill(0);
  let over = 0;
  const f = nano ? 1000 : 1;
  for (let b = 0; b < hist.length; b++) {
    const n = hist[b]!;
    if (n === 0) continue;
    const t = Math.floor((layout.lowUs[b]! * f) / bucketSize);
    if (t >= entries) over += n;
    else counts[t]! += n;
  }
  return { index: counts.map((_, i) => i * bucketSize), counts, over };
}

/** Re-bucket into power-of-two rows: [0,1), [1,2), [2,4), [4,8) … output units (--log-buckets). */
export function rebucketLog(hist: readonly number[], layout: HistogramLayout, nano: boolean, rows: number): Rebucketed {
  const counts = new Array<number>(rows).fill(0);
  const f = nano ? 1000 : 1;
  for (let b = 0; b < hist.length; b++) {
    const n = hist[b]!;
    if (n === 0) continue;
    const v = layout.lowUs[b]! * f;
    const t = v < 1 ? 0 : Math.min(rows - 1, 1 + Math.floor(Math.log2(v)));
    counts[t]! += n;
  }
  return { index: counts.map((_, i) => (i === 0 ? 0 : 2 ** (i - 1))), counts, over: 0 };
}

function rowsNeededLog(r: TimerlatResult): number {
  const f = r.config.nano ? 1000 : 1;
  let maxLow = 0;
  for (const c of r.cpus) {
    for (const k of ['irq', 'thread', 'user'] as const) {
      c[k].hist.forEach((n, b) => {
        if (n > 0) maxLow = Math.max(maxLow, r.layout.lowUs[b]! * f);
      });
    }
  }
  return maxLow < 1 ? 1 : 2 + Math.floor(Math.log2(maxLow));
}

function columns(r: TimerlatResult, o: HistRenderOptions): TimerlatContext[] {
  const ks: TimerlatContext[] = [];
  if (o.noIrq !== true) ks.push('irq');
  if (o.noThread !== true) ks.push('thread');
  if (r.userData) ks.push('user');
  return ks;
}

/** Render the histogram report. */
export function renderTimerlatHist(r: TimerlatResult, o: HistRenderOptions = {}): string {
  const nano = r.config.nano;
  const idx = o.noIndex !== true;
  const cpus = cpusWithData(r);
  const ks = columns(r, o);
  const out: string[] = [];
  const label = (s: string): string => (idx ? s : '');
  if (o.noHeader !== true) {
    out.push('# RTLA timerlat histogram');
    out.push(`# Time unit is ${nano ? 'nanoseconds' : 'microseconds'} (${nano ? 'ns' : 'us'})`);
    out.push(`# Duration: ${formatDuration(r.elapsedS)}`);
    const tag = { irq: 'IRQ', thread: 'Thr', user: 'Usr' } as const;
    out.push(`${label('Index')}${cpus.map((c) => ks.map((k) => `   ${tag[k]}-${String(c.cpu).padStart(3, '0')}`).join('')).join('')}`);
  }
  const rows = r.config.logBuckets ? rowsNeededLog(r) : r.config.entries;
  const rb = (c: CpuResult, k: TimerlatContext): Rebucketed =>
    r.config.logBuckets ? rebucketLog(c[k].hist, r.layout, nano, rows) : rebucketLinear(c[k].hist, r.layout, r.config.bucketSize, r.config.entries, nano);
  const cells = cpus.map((c) => ks.map((k) => rb(c, k)));
  const index = cells[0]?.[0]?.index ?? [];
  for (let i = 0; i < rows; i++) {
    let total = 0;
    let line = idx ? String(index[i] ?? i).padEnd(6) : '';
    for (const cpuCells of cells) {
      for (const cell of cpuCells) {
        total += cell.counts[i]!;
        line += `${String(cell.counts[i]).padStart(9)} `;
      }
    }
    if (total === 0 && o.withZeros !== true) continue;
    out.push(line);
  }
  out.push(`${label('over: ')}${cells.map((cc) => cc.map((cell) => `${String(cell.over).padStart(9)} `).join('')).join('')}`);
  if (o.noSummary !== true) {
    const per = (name: string, f: (c: ContextResult) => string): string => `${label(name)}${cpus.map((c) => ks.map((k) => f(c[k])).join('')).join('')}`;
    out.push(...summaryRows(per, nano));
    out.push(...allBlock(r, ks, label, cpus));
  }
  out.push(...formatLoss(r));
  return `${out.join('\n')}\n`;
}

function v9(ns: number | null, count: number, nano: boolean): string {
  return count === 0 ? `${'-'.padStart(9)} ` : `${col9(ns, nano)} `;
}

function summaryRows(per: (name: string, f: (c: ContextResult) => string) => string, nano: boolean): string[] {
  return [
    per('count:', (c) => `${String(c.summary.count).padStart(9)} `),
    per('min:  ', (c) => v9(c.summary.minNs, c.summary.count, nano)),
    per('avg:  ', (c) => v9(c.summary.avgNs, c.summary.count, nano)),
    per('max:  ', (c) => v9(c.summary.maxNs, c.summary.count, nano)),
    ...EXTRA_ROWS.map((x) => per(x.row, (c) => v9(c.summary[x.key], c.summary.count, nano))),
  ];
}

function allBlock(r: TimerlatResult, ks: TimerlatContext[], label: (s: string) => string, cpus: CpuResult[]): string[] {
  const nano = r.config.nano;
  const all = ks.map((k) => mergeContext(cpus, k, r.layout));
  const head = { irq: '      IRQ', thread: '       Thr', user: '       Usr' } as const;
  const per = (name: string, f: (c: ContextResult) => string): string => `${label(name)}${all.map(f).join('')}`;
  const skipped = cpus.reduce((a, c) => a + c.skipped, 0);
  return [`${label('ALL:  ')}${ks.map((k) => head[k]).join('')}`, ...summaryRows(per, nano), `${label('skip: ')}${String(skipped).padStart(9)} `];
}
