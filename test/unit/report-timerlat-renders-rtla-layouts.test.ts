// Claim: the timerlat renderers print rtla's layouts (top rows and ALL, hist index/over/count/ALL,
// the auto-analysis block) from a synthetic result, the JSON validates against the schema, the HTML
// holds one SVG per CPU and context, and the CLI's bucket layout equals the accumulator's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTimerlatTop } from '../../src/report/timerlat-top.js';
import { rebucketLinear, renderTimerlatHist } from '../../src/report/timerlat-hist.js';
import { renderTimerlatJson } from '../../src/report/timerlat-json.js';
import { renderTimerlatHtml } from '../../src/report/timerlat-html.js';
import { renderAutoAnalysis, renderDumpTasks } from '../../src/report/timerlat-aa.js';
import { formatDuration, mergeContext } from '../../src/report/timerlat-format.js';
import type { ContextResult, CpuResult, TimerlatResult } from '../../src/report/timerlat-types.js';
import { BUCKETS, LINEAR_BUCKETS, SUB_BUCKETS, bucketBounds, bucketOf, bucketLowUs } from '../../src/tracers/latency-stats.js';
import { validateJson } from '../helpers/json-schema.js';

const layout = bucketBounds();

function ctx(samplesUs: number[]): ContextResult {
  const hist = new Array<number>(BUCKETS).fill(0);
  for (const us of samplesUs) hist[us < 1024 ? Math.floor(us) : 1024 + Math.floor(Math.log2(us)) - 10]! += 1;
  if (samplesUs.length === 0) return { hist, sumNs: 0, summary: { count: 0, minNs: null, avgNs: null, maxNs: null, curNs: null, stddevNs: null, p50Ns: null, p90Ns: null, p99Ns: null, p999Ns: null } };
  const ns = samplesUs.map((u) => u * 1000);
  const sum = ns.reduce((a, b) => a + b, 0);
  const avg = sum / ns.length;
  const sorted = [...ns].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.max(0, Math.ceil(p * ns.length) - 1)]!;
  return {
    hist, sumNs: sum,
    summary: { count: ns.length, minNs: sorted[0]!, avgNs: avg, maxNs: sorted[sorted.length - 1]!, curNs: ns[ns.length - 1]!, stddevNs: Math.sqrt(ns.reduce((a, x) => a + (x - avg) ** 2, 0) / ns.length), p50Ns: q(0.5), p90Ns: q(0.9), p99Ns: q(0.99), p999Ns: q(0.999) },
  };
}

function cpu(n: number, irq: number[], thread: number[], user: number[] = []): CpuResult {
  return { cpu: n, irq: ctx(irq), thread: ctx(thread), user: ctx(user), skipped: n, noWaiter: 0 };
}

function result(over: Partial<TimerlatResult> = {}, cfg: Partial<TimerlatResult['config']> = {}): TimerlatResult {
  return {
    config: { tool: 'hist', cpus: [0, 1], simCpus: 2, periodUs: 1000, durationS: 2, irqUs: null, threadUs: null, stackUs: null, workload: 'kernel', userLoad: null, nano: false, warmUpS: 0, bucketSize: 1, entries: 256, logBuckets: false, noise: [], noiseMask: [0, 1], isolate: [], seed: 1, traceBufferKb: null, ...cfg },
    machine: { node: 'v20.0.0', cores: 2, kernel: 'Linux 6.1', platform: 'linux', arch: 'x64', seed: 1, timerSlackNs: 1 },
    startedAt: '2026-01-01T00:00:00.000Z', elapsedS: 3723, end: 'duration', userData: false,
    cpus: [cpu(0, [3, 4, 4, 300], [5, 6, 6, 2100]), cpu(1, [2, 2], [3, 4]), cpu(2, [], [])],
    layout, loss: [{ cpu: 0, overrun: 0, dropped: 0, commitOverrun: 0 }], stop: null, noise: [], ...over,
  };
}

describe('timerlat renderers', () => {
  it('buckets tile the µs axis: 1 µs wide below 1 ms, then at most 1/64 of their lower bound; bucketOf agrees', () => {
    expect(layout.lowUs.length).toBe(BUCKETS);
    expect(layout.lowUs[0]).toBe(0);
    for (let b = 0; b < BUCKETS; b++) {
      const lo = layout.lowUs[b]!;
      const hi = layout.highUs[b]!;
      if (b + 1 < BUCKETS) expect(layout.lowUs[b + 1], `bucket ${b}`).toBe(hi);
      if (b < LINEAR_BUCKETS) expect(hi - lo).toBe(1);
      else expect((hi - lo) * SUB_BUCKETS, `bucket ${b} [${lo}, ${hi})`).toBeLessThanOrEqual(lo);
      expect(bucketOf(lo * 1000), `low edge of ${b}`).toBe(b);
      expect(bucketOf(hi * 1000 - 1), `high edge of ${b}`).toBe(b);
    }
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(1e30)).toBe(BUCKETS - 1);
    expect(bucketLowUs(LINEAR_BUCKETS + SUB_BUCKETS)).toBe(2048);
  });

  it('formats durations as rtla get_duration: %3d %02d:%02d:%02d', () => {
    expect(formatDuration(3723)).toBe('  0 01:02:03');
    expect(formatDuration(2 * 86400 + 59)).toBe('  2 00:00:59');
  });

  it('top: header, one row per CPU with data, the ALL row with eN, percentiles and the loss line', () => {
    const out = renderTimerlatTop(result({}, { tool: 'top' }));
    const lines = out.split('\n');
    expect(lines[1]).toBe('  0 01:02:03   |          IRQ Timer Latency (us)        |         Thread Timer Latency (us)');
    expect(lines[2]).toBe('CPU COUNT      |      cur       min       avg       max |      cur       min       avg       max');
    expect(lines[3]).toBe('  0 #4         |      300         3        77       300 |     2100         5       529      2100');
    expect(lines[4]).toBe('  1 #2         |        2         2         2         2 |        4         3         3         4');
    expect(out).not.toMatch(/^ {2}2 #/m); // no data: skipped, as rtla
    expect(lines[5]).toBe('---------------|----------------------------------------|---------------------------------------');
    expect(lines[6]).toBe('ALL #6      e0 |                  2        52       300 |                  3       354      2100');
    expect(out).toMatch(/^ALL IRQ +\d+/m);
    expect(out).toMatch(/^# trace events lost: 0 overwritten, 0 commit overrun, 0 dropped; skipped periods: 3;/m);
  });

  it('top with user data adds the Ret user columns', () => {
    const r = result({ userData: true, cpus: [cpu(0, [3], [5], [7])] }, { tool: 'top' });
    const out = renderTimerlatTop(r, { extras: false });
    expect(out).toMatch(/Thread Timer Latency \(us\) {6}\| {4}Ret user Timer Latency \(us\)$/m);
    expect(out).toMatch(/^ {2}0 #1 +\|.*\|.*\| +7 +7 +7 +7$/m);
  });

  it('hist: header, non-zero index rows, over, count/min/avg/max per CPU and the ALL block', () => {
    const out = renderTimerlatHist(result(), {});
    expect(out).toMatch(/^# RTLA timerlat histogram\n# Time unit is microseconds \(us\)\n# Duration: {3}0 01:02:03\nIndex {3}IRQ-000 {3}Thr-000 {3}IRQ-001 {3}Thr-001\n/);
    expect(out).toMatch(/^2 {13}0 {9}0 {9}2 {9}0 $/m);
    expect(out).not.toMatch(/^1 /m); // all-zero rows are left out without --with-zeros
    expect(out).toMatch(/^over: {9}1 {9}1 {9}0 {9}0 $/m);
    expect(out).toMatch(/^count: {8}4 {9}4 {9}2 {9}2 $/m);
    expect(out).toMatch(/^ALL: {8}IRQ {7}Thr\ncount: {8}6 {9}6 \nmin: {10}2 {9}3 $/m);
    expect(out).toMatch(/^skip: {9}1 $/m);
  });

  it('hist -b/-E re-buckets; --no-index and --no-irq drop columns', () => {
    const rb = rebucketLinear(ctx([3, 4, 4, 300]).hist, layout, 2, 10, false);
    expect(rb.counts.slice(0, 3)).toEqual([0, 1, 2]);
    expect(rb.over).toBe(1);
    const out = renderTimerlatHist(result(), { noIndex: true, noIrq: true, noHeader: true });
    expect(out.split('\n')[0]).toMatch(/^ {8}\d /);
    expect(out).not.toMatch(/IRQ-000|count:/);
  });

  it('auto-analysis: the rtla block from a StopAnalysis, with µs and percentages and the noise named', () => {
    const out = renderAutoAnalysis({
      kind: 'threshold', cpu: 1, context: 'thread', latencyNs: 1_000_000, thresholdUs: 500,
      analysis: { cpu: 1, seqnum: 7, irqLatencyNs: 10_000, irqDurationNs: 5_000, threadLatencyNs: 1_000_000, blocking: [{ name: 'busy-kthread', kind: 'thread', startNs: 0, durationNs: 900_000 }, { name: 'net-irq', kind: 'irq', startNs: 0, durationNs: 20_000 }] },
    }, []);
    expect(out).toMatch(/^## CPU 1 hit stop tracing, analyzing it ##\n/);
    expect(out).toMatch(/^ {2}IRQ handler delay:\t\t {16}\t {4}10\.00 us \(1\.00 %\)$/m);
    expect(out).toMatch(/^ {2}Timerlat IRQ duration:\t+ {5}5\.00 us \(0\.50 %\)$/m);
    expect(out).toMatch(/^ {2}Blocking thread:\t+ {3}900\.00 us \(90\.00 %\)\n\t {12}busy-kthread:0 {8}\t\t {3}900\.00 us$/m);
    expect(out).toMatch(/^ {2}IRQ interference\t+ {4}20\.00 us \(2\.00 %\)\n\t {17}net-irq:0  \t\t\t {4}20\.00 us$/m);
    expect(out).toMatch(/-{72}\n {2}Thread latency:\t+ {2}1000\.00 us \(100%\)\n$/);
  });

  it('auto-analysis: an IRQ taken from idle says "(exit from idle)" in rtla\'s slot; one that waited for an IRQ-off section does not', () => {
    const stop = { kind: 'threshold' as const, cpu: 0, context: 'irq' as const, latencyNs: 900_000, thresholdUs: 200 };
    const base = { cpu: 0, seqnum: 3, irqLatencyNs: 900_000, irqDurationNs: 2_000, threadLatencyNs: null };
    const idle = renderAutoAnalysis({ ...stop, analysis: { ...base, blocking: [], stack: ['timerlat_irq', 'default_idle_call [Atomics.wait]', 'do_idle'] } }, []);
    expect(idle).toMatch(/^ {2}IRQ handler delay:\t\t\(exit from idle\)\t {3}900\.00 us \(100\.00 %\)$/m);
    const busy = renderAutoAnalysis({ ...stop, analysis: { ...base, blocking: [{ name: 'irq-noise', kind: 'irq', startNs: 0, durationNs: 800_000 }] } }, []);
    expect(busy).toMatch(/^ {2}IRQ handler delay:\t\t {16}\t {3}900\.00 us/m);
  });

  it('auto-analysis without a StopAnalysis falls back to StopInfo and the configured noise', () => {
    const out = renderAutoAnalysis({ kind: 'threshold', cpu: 0, context: 'irq', latencyNs: 50_000, thresholdUs: 20 }, [{ spec: 'irq:30us/1000us', name: 'timer-storm', kind: 'irq', durationUs: 30, periodUs: 1000, cpus: [0] }]);
    expect(out).toMatch(/^## CPU 0 hit stop tracing, analyzing it ##\n {2}irq sample of 50\.00 us crossed the 20 us threshold\n/);
    expect(out).toMatch(/timer-storm:irq/);
    expect(out).toMatch(/ {2}IRQ latency:\t+ {4}50\.00 us \(100%\)\n$/);
    expect(renderAutoAnalysis({ kind: 'exception', cpu: 1, taint: 'timerlat user-thread migrated' }, [])).toBe('## CPU 1 stopped tracing: timerlat user-thread migrated ##\n');
    expect(renderDumpTasks([{ cpu: 3, comm: 'timerlatu/3', pid: 42 }])).toBe('\nPrinting CPU tasks:\n    [003]              timerlatu/3:42\n');
  });

  it('ALL merges counts, min, max and exact averages across CPUs', () => {
    const all = mergeContext(result().cpus, 'irq', layout);
    expect(all.summary).toMatchObject({ count: 6, minNs: 2000, maxNs: 300_000, avgNs: (315 * 1000) / 6 });
  });

  it('JSON validates against the schema, stop included; HTML has one SVG per CPU with data and context', () => {
    const schema = JSON.parse(readFileSync(new URL('../../docs/timerlat-json.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const r = result({ stop: { kind: 'threshold', cpu: 0, context: 'thread', latencyNs: 2_100_000, thresholdUs: 1000 }, end: 'stop-tracing' });
    expect(validateJson(schema, JSON.parse(renderTimerlatJson(r)))).toEqual([]);
    expect(validateJson(schema, { ...JSON.parse(renderTimerlatJson(r)), extra: 1 })).toEqual(['$: unexpected property extra']);
    const html = renderTimerlatHtml(r);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toMatch(/CPU 0 hit stop tracing/);
    expect(html).not.toMatch(/<script|src="http/);
  });
});
