// Claim: after a stop_tracing threshold (rtla -T), the statistics describe exactly the samples the
// trace holds (rtla reads them from the trace, or from its BPF collector, which stops collecting once
// tracing stops): nothing is counted after the stop while the timers keep cycling; on every CPU and
// context, count = the histogram's total = the timerlat_sample lines of the trace; min ≤ avg ≤ max;
// each activation's later samples are counted only if its earlier ones were (user ≤ thread ≤ irq);
// and the ALL merge of the report agrees with sums taken straight from the records. Kernel and user
// mode, real CPU and task workers. A 30 ms non-preemptible section on one CPU crosses the threshold.
import { describe, expect, it } from 'vitest';
import type { Lab } from '../../src/index.js';
import { CTX_NAMES, Ctx, type CtxId, type LatencySnapshot } from '../../src/tracers/latency-stats.js';
import { TLC } from '../../src/tracers/timerlat-layout.js';
import { mergeContext } from '../../src/report/timerlat-format.js';
import type { ContextResult, CpuResult } from '../../src/report/timerlat-types.js';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';

const THRESHOLD_US = 10_000;
const CTXS = [Ctx.IRQ, Ctx.THREAD, Ctx.USER] as const;

// Every (cpu, ctx) record, each read once, consistently.
function records(lab: Lab): LatencySnapshot[][] {
  return Array.from({ length: lab.cpus }, (_, cpu) => CTXS.map((ctx) => lab.timerlat.histogram(cpu, CTX_NAMES[ctx])));
}

const activation = (lab: Lab, cpu: number): number => Atomics.load(lab.timerlat.shm.i32, lab.timerlat.shm.cpuBase(cpu) + TLC.SEQ);
const histTotal = (s: LatencySnapshot): number => s.hist.reduce((a, n) => a + n, 0);

// timerlat_sample lines of the trace per cpu and context.
function traced(text: string, cpus: number): number[][] {
  const n = Array.from({ length: cpus }, () => [0, 0, 0]);
  for (const m of text.matchAll(/\[(\d{3})\] .*timerlat_sample: #\d+ +context +(irq|thread|user-ret) /g)) n[Number(m[1])]![CTX_NAMES.indexOf(m[2] as (typeof CTX_NAMES)[number])]!++;
  return n;
}

function contextResult(s: LatencySnapshot): ContextResult {
  const count = s.count;
  const avg = count === 0 ? null : s.sumNs / count;
  const summary = {
    count, minNs: count === 0 ? null : s.minNs, avgNs: avg, maxNs: count === 0 ? null : s.maxNs, curNs: count === 0 ? null : s.curNs,
    stddevNs: avg === null ? null : Math.sqrt(Math.max(0, s.sumSqNs / count - avg * avg)), p50Ns: null, p90Ns: null, p99Ns: null, p999Ns: null,
  };
  return { summary, hist: Array.from(s.hist), sumNs: s.sumNs };
}

async function stopAndCheck(lab: Lab, seed: number, userMode: boolean): Promise<void> {
  const say = (m: string): string => withSeed(seed, m);
  const stopped = new Promise<{ kind: string; cpu: number }>((r) => lab.timerlat.once('stop', r as (s: unknown) => void));
  await lab.tracefs.write('osnoise/stop_tracing_total_us', String(THRESHOLD_US));
  await lab.tracefs.write('current_tracer', 'timerlat');
  const holders = userMode
    ? await Promise.all(Array.from({ length: lab.cpus }, (_, cpu) => lab.spawn(fixture('timerlat-fd'), { arg: { cpu, loops: 0 } })))
    : [];
  // Some samples on every CPU first, then a 30 ms section on a seeded CPU crosses the threshold
  // (a host stall may cross it earlier; every claim below holds for any stop).
  // A stop freezes the counts, so a CPU may never reach 10 after an early one (seen under a doubled load).
  let early = false;
  void stopped.then(() => (early = true));
  for (let cpu = 0; cpu < lab.cpus; cpu++) await expect.poll(() => early || lab.timerlat.snapshot()[cpu]!.thread.count > 10, { timeout: 15_000 }).toBe(true);
  if (!early) void lab.busy(seed % lab.cpus, 30_000).catch(() => undefined);
  const stop = await within(15_000, 'stop', stopped);
  expect(stop.kind, say('a threshold stop')).toBe('threshold');
  expect(await lab.tracefs.read('tracing_on')).toBe('0\n');
  const first = records(lab);
  const seqs = Array.from({ length: lab.cpus }, (_, cpu) => activation(lab, cpu));
  // The timers keep cycling after the stop (the workload is not stopped) ...
  for (let cpu = 0; cpu < lab.cpus; cpu++) await expect.poll(() => activation(lab, cpu), { timeout: 10_000 }).toBeGreaterThan(seqs[cpu]! + 5);
  // ... but nothing is counted any more.
  const later = records(lab);
  const text = await lab.tracefs.read('trace');
  const lines = traced(text, lab.cpus);
  const cpus: CpuResult[] = [];
  for (let cpu = 0; cpu < lab.cpus; cpu++) {
    const [irq, thread, user] = first[cpu]!;
    for (const ctx of CTXS) {
      const a = first[cpu]![ctx]!;
      const b = later[cpu]![ctx]!;
      const where = `cpu${cpu} ${CTX_NAMES[ctx]}`;
      expect({ count: b.count, sumNs: b.sumNs, maxNs: b.maxNs }, say(`${where}: counted after the stop`)).toEqual({ count: a.count, sumNs: a.sumNs, maxNs: a.maxNs });
      expect(histTotal(a), say(`${where}: histogram total vs count`)).toBe(a.count);
      expect(a.count, say(`${where}: count vs trace lines`)).toBe(lines[cpu]![ctx]);
      if (a.count > 0) {
        expect(a.minNs, say(`${where}: min ≤ avg`)).toBeLessThanOrEqual(a.sumNs / a.count + 1e-6);
        expect(a.sumNs / a.count, say(`${where}: avg ≤ max`)).toBeLessThanOrEqual(a.maxNs + 1e-6);
      }
    }
    expect(thread!.count, say(`cpu${cpu}: thread ≤ irq`)).toBeLessThanOrEqual(irq!.count);
    expect(irq!.count - thread!.count, say(`cpu${cpu}: irq − thread`)).toBeLessThanOrEqual(1 + lab.timerlat.snapshot()[cpu]!.noWaiter);
    if (userMode) {
      expect(user!.count, say(`cpu${cpu}: user-ret ≤ thread`)).toBeLessThanOrEqual(thread!.count);
      expect(thread!.count - user!.count, say(`cpu${cpu}: thread − user-ret`)).toBeLessThanOrEqual(1);
    } else expect(user!.count).toBe(0);
    cpus.push({ cpu, irq: contextResult(irq!), thread: contextResult(thread!), user: contextResult(user!), skipped: 0, noWaiter: 0 });
  }
  // The report's ALL row merges what the rows show.
  const layout = lab.timerlat.histogramLayout();
  for (const ctx of ['irq', 'thread'] as const) {
    const rows = cpus.map((c) => c[ctx]).filter((c) => c.summary.count > 0);
    const all = mergeContext(cpus, ctx, layout).summary;
    const n = rows.reduce((a, c) => a + c.summary.count, 0);
    const sum = rows.reduce((a, c) => a + c.sumNs, 0);
    const sumSq = first.reduce((a, r) => a + r[CTX_NAMES.indexOf(ctx === 'irq' ? 'irq' : 'thread') as CtxId]!.sumSqNs, 0);
    expect(all.count, say(`ALL ${ctx} count`)).toBe(n);
    expect(all.avgNs!, say(`ALL ${ctx} avg`)).toBeCloseTo(sum / n, 3);
    expect(all.avgNs!, say(`ALL ${ctx} avg ≤ max`)).toBeLessThanOrEqual(all.maxNs! + 1e-6);
    expect(all.stddevNs!, say(`ALL ${ctx} stddev`)).toBeCloseTo(Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)), 0);
  }
  for (const h of holders) await lab.kill(h.pid, 'SIGKILL').catch(() => undefined);
  await lab.tracefs.write('current_tracer', 'nop');
  await Promise.all(holders.map((h) => within(10_000, 'holder exit', h.exited)));
}

describe('timerlat statistics after a threshold stop', () => {
  const boot = useLabs();

  it('kernel mode: frozen at the stop, count = histogram = trace lines on every CPU, ALL merges the rows', async () => {
    const seed = testSeed(0x7e1a);
    const lab = await boot({ cpus: 2 });
    await stopAndCheck(lab, seed, false);
  });

  it('user mode (timerlat_fd holders): frozen at the stop, user-ret ≤ thread ≤ irq, count = histogram = trace lines', async () => {
    const seed = testSeed(0x7e1b);
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
    await stopAndCheck(lab, seed, true);
  });
});
