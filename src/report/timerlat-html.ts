// `--html`: a self-contained report of a timerlat run (no scripts, no external files): the summary
// table (per CPU and context: count, min, avg, max, p50..p99.9, stddev), the loss line, the stop
// and, per CPU and context, an inline SVG histogram on a log count axis. Presentation only.
import { cpusWithData, formatDuration, formatLoss, mergeContext } from './timerlat-format.js';
import type { ContextResult, TimerlatContext, TimerlatResult } from './timerlat-types.js';

const NAMES: Record<TimerlatContext, string> = { irq: 'IRQ', thread: 'Thread', user: 'Ret user' };
const COLORS: Record<TimerlatContext, string> = { irq: '#3b82f6', thread: '#f97316', user: '#10b981' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function us(ns: number | null): string {
  return ns === null ? '–' : (ns / 1000).toFixed(2);
}

/** A percentile: a histogram bucket's bound, a whole µs, printed without decimals it does not have. */
function bound(ns: number | null): string {
  return ns === null ? '–' : Number.isInteger(ns / 1000) ? String(ns / 1000) : (ns / 1000).toFixed(2);
}

/** The run's length in words: `3 s`, `2 min 5 s`, `1 h 0 min 2 s`. */
function lasted(s: number): string {
  const t = Math.round(s);
  const [h, m, sec] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  return h > 0 ? `${h} h ${m} min ${sec} s` : m > 0 ? `${m} min ${sec} s` : `${sec} s`;
}

/**
 * One histogram as an SVG bar chart: x = latency on a log2(1 + µs) axis (so the power-of-two buckets
 * above 1 ms are as wide as they are informative, not wider), y = log10(count + 1).
 */
export function histogramSvg(c: ContextResult, r: TimerlatResult, ctx: TimerlatContext, title: string): string {
  const W = 520;
  const H = 200;
  const L = 46;
  const B = 30;
  const bars: { low: number; high: number; n: number }[] = [];
  c.hist.forEach((n, b) => {
    if (n > 0) bars.push({ low: r.layout.lowUs[b]!, high: r.layout.highUs[b]!, n });
  });
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">` +
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>` +
    `<text x="${W / 2}" y="14" text-anchor="middle" font-size="12" font-family="sans-serif">${esc(title)}</text>`;
  if (bars.length === 0) return `${head}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="12" fill="#888" font-family="sans-serif">no samples</text></svg>`;
  const xMax = Math.max(bars[bars.length - 1]!.high, 2);
  const yMax = Math.log10(Math.max(...bars.map((b) => b.n)) + 1);
  const pw = W - L - 10;
  const ph = H - B - 22;
  const lx = (v: number): number => Math.log2(1 + v);
  const x = (v: number): number => L + (lx(v) / lx(xMax)) * pw;
  const y = (n: number): number => 22 + ph - (Math.log10(n + 1) / yMax) * ph;
  const rects = bars.map((b) => {
    const x0 = x(b.low);
    const w = Math.max(1, x(b.high) - x0 - 0.5);
    return `<rect x="${x0.toFixed(1)}" y="${y(b.n).toFixed(1)}" width="${w.toFixed(1)}" height="${(22 + ph - y(b.n)).toFixed(1)}" fill="${COLORS[ctx]}"><title>${b.low}–${b.high} us: ${b.n}</title></rect>`;
  });
  const ticks = [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000].filter((v) => v <= xMax).map((v) => {
    return `<line x1="${x(v).toFixed(1)}" y1="${22 + ph}" x2="${x(v).toFixed(1)}" y2="${26 + ph}" stroke="#333"/><text x="${x(v).toFixed(1)}" y="${38 + ph}" text-anchor="middle" font-size="10" font-family="sans-serif">${Math.round(v)}</text>`;
  });
  const yTicks = [0, 0.5, 1].map((f) => {
    const n = Math.round(10 ** (f * yMax) - 1);
    return `<text x="${L - 4}" y="${(y(n) + 3).toFixed(1)}" text-anchor="end" font-size="10" font-family="sans-serif">${n}</text>`;
  });
  const axes = `<line x1="${L}" y1="${22 + ph}" x2="${W - 10}" y2="${22 + ph}" stroke="#333"/><line x1="${L}" y1="22" x2="${L}" y2="${22 + ph}" stroke="#333"/>` +
    `<text x="${W - 10}" y="${H - 4}" text-anchor="end" font-size="10" font-family="sans-serif">latency (us)</text>`;
  return `${head}${rects.join('')}${axes}${ticks.join('')}${yTicks.join('')}</svg>`;
}

/** Render the whole report. */
export function renderTimerlatHtml(r: TimerlatResult): string {
  const ctxs: TimerlatContext[] = r.userData ? ['irq', 'thread', 'user'] : ['irq', 'thread'];
  const cpus = cpusWithData(r);
  const row = (label: string, k: TimerlatContext, c: ContextResult, skipped: string): string => {
    const s = c.summary;
    return `<tr><td>${esc(label)}</td><td>${NAMES[k]}</td><td>${s.count}</td><td>${us(s.minNs)}</td><td>${us(s.avgNs)}</td><td>${us(s.maxNs)}</td><td>${bound(s.p50Ns)}</td><td>${bound(s.p90Ns)}</td><td>${bound(s.p99Ns)}</td><td>${bound(s.p999Ns)}</td><td>${us(s.stddevNs)}</td><td>${skipped}</td></tr>`;
  };
  const rows: string[] = [];
  for (const c of cpus) for (const k of ctxs) rows.push(row(`CPU ${c.cpu}`, k, c[k], k === 'irq' ? String(c.skipped) : ''));
  for (const k of ctxs) rows.push(row('ALL', k, mergeContext(cpus, k, r.layout), ''));
  const charts = cpus.map((c) => `<section><h3>CPU ${c.cpu}</h3><div class="charts">${ctxs.map((k) => histogramSvg(c[k], r, k, `CPU ${c.cpu} ${NAMES[k]} latency (count and µs, log scales)`)).join('')}</div></section>`);
  const stop = r.stop === null ? '<p>Tracing was not stopped by a threshold.</p>'
    : r.stop.kind === 'threshold'
      ? `<p class="stop">CPU ${r.stop.cpu} hit stop tracing: a ${esc(r.stop.context)} latency of ${us(r.stop.latencyNs)} us crossed ${r.stop.thresholdUs} us.</p>`
      : `<p class="stop">CPU ${r.stop.cpu} stopped tracing: ${esc(r.stop.taint)}.</p>`;
  const empty = r.config.cpus.filter((cpu) => !cpus.some((c) => c.cpu === cpu));
  const noise = r.config.noise.length === 0 ? 'none' : r.config.noise.map((n) => `${esc(n.name)} (${esc(n.spec)}) on CPUs ${n.cpus.join(',')}`).join('; ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tracelab timerlat ${r.config.tool} report</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#111}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,td:nth-child(2),th:first-child,th:nth-child(2){text-align:left}
th{background:#f3f4f6}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.stop{color:#b91c1c;font-weight:600}
code{background:#f3f4f6;padding:1px 4px}
</style></head><body>
<h1>tracelab timerlat ${r.config.tool}</h1>
<p>Started ${esc(r.startedAt)}, ran ${lasted(r.elapsedS)} (<code>${esc(formatDuration(r.elapsedS).trim())}</code> in rtla's header), ended by <b>${r.end}</b>.
${r.config.simCpus} simulated CPUs, traced CPUs ${r.config.cpus.join(',')}, period ${r.config.periodUs} us, ${r.config.workload} workload.
Noise: ${noise}; isolated CPUs: ${r.config.isolate.length === 0 ? 'none' : r.config.isolate.join(',')}.
Node ${esc(r.machine.node)} on ${esc(r.machine.kernel)} (${r.machine.cores} cores), seed ${r.machine.seed}, timer slack ${r.machine.timerSlackNs === null ? 'unknown' : `${r.machine.timerSlackNs} ns`}.</p>
${stop}
<h2>Summary (us)</h2>
<table><thead><tr><th>CPU</th><th>context</th><th>count</th><th>min</th><th>avg</th><th>max</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>stddev</th><th>skipped</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<p>Percentiles are histogram bucket bounds: 1 µs wide below 1 ms, 1/64 of the value above.${empty.length === 0 ? '' : ` Traced CPUs with no sample (left out of the table and the ALL rows, as rtla does): ${empty.join(',')}.`}</p>
<p>${formatLoss(r).map((l) => esc(l.replace(/^# /, ''))).join('<br>')}</p>
<h2>Histograms</h2>
<p>One chart per CPU and context: latency in µs on a log axis (each bar a bucket), sample count on a log axis. Hover a bar for its bucket and count.</p>
${charts.join('\n')}
</body></html>
`;
}
