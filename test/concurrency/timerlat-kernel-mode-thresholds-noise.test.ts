import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

describe('timerlat (kernel threads)', () => {
  const boot = useLabs();

  it('every CPU in osnoise/cpus takes irq and thread samples each period; others take none', async () => {
    const lab = await boot({ cpus: 3 });
    await lab.tracefs.write('osnoise/cpus', '0,2');
    await lab.tracefs.write('current_tracer', 'timerlat');
    await expect.poll(() => lab.timerlat.snapshot()[2]!.thread.count, { timeout: 10_000 }).toBeGreaterThan(50);
    // Freeze the counters first: a snapshot reads each (cpu, context) record at its own instant, and a
    // main thread descheduled between two reads on a loaded host would see later periods in the second.
    await lab.tracefs.write('current_tracer', 'nop');
    const s = lab.timerlat.snapshot();
    expect(s[2]!.thread.count).toBeGreaterThan(50); // the switch to nop keeps what was collected
    expect(s[1]!.irq.count).toBe(0);
    for (const c of [s[0]!, s[2]!]) {
      expect(Math.abs(c.irq.count - c.thread.count)).toBeLessThanOrEqual(1);
      expect(c.thread.minNs!).toBeGreaterThanOrEqual(0);
      expect(c.irq.p50Ns!).toBeLessThanOrEqual(c.irq.maxNs!);
    }
  });

  it('stop_tracing_us stops the buffer at the first irq sample over it; timers keep running; exit info kept', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/stop_tracing_us', '1'); // every real irq latency is ≥ 1 µs
    const stopped = new Promise((r) => lab.timerlat.once('stop', r));
    await lab.tracefs.write('current_tracer', 'timerlat');
    const stop = (await within(10_000, 'stop', stopped)) as { kind: string; context: string; latencyNs: number; thresholdUs: number };
    expect(stop).toMatchObject({ kind: 'threshold', context: 'irq', thresholdUs: 1 });
    expect(stop.latencyNs).toBeGreaterThanOrEqual(1000);
    expect(await lab.tracefs.read('tracing_on')).toBe('0\n');
    await expect.poll(() => lab.timerlat.state, { timeout: 5000 }).toBe('stopped');
    const before = lab.timerlat.snapshot()[0]!.activation;
    await expect.poll(() => lab.timerlat.snapshot()[0]!.activation, { timeout: 5000 }).toBeGreaterThan(before + 5); // still cycling
  });

  it('after tracing_on 0→1 the next threshold stops tracing again and is reported', async () => {
    const lab = await boot({ cpus: 1 });
    await lab.tracefs.write('osnoise/stop_tracing_us', '1');
    const first = new Promise((r) => lab.timerlat.once('stop', r));
    await lab.tracefs.write('current_tracer', 'timerlat');
    await within(10_000, 'first stop', first);
    await expect.poll(() => lab.timerlat.state, { timeout: 5000 }).toBe('stopped');
    const second = new Promise((r) => lab.timerlat.once('stop', r));
    await lab.tracefs.write('tracing_on', '1');
    expect(await within(10_000, 'second stop', second)).toMatchObject({ kind: 'threshold', context: 'irq' });
    expect(await lab.tracefs.read('tracing_on')).toBe('0\n');
  });

  it('stop_tracing_total_us stops on a thread sample and tracing_max_latency is updated', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/stop_tracing_total_us', '1');
    const stopped = new Promise((r) => lab.timerlat.once('stop', r));
    await lab.tracefs.write('current_tracer', 'timerlat');
    const stop = (await within(10_000, 'stop', stopped)) as { kind: string; context: string };
    expect(stop).toMatchObject({ kind: 'threshold', context: 'thread' });
    expect(Number(await lab.tracefs.read('tracing_max_latency'))).toBeGreaterThanOrEqual(1);
  });

  it('TIMERLAT_ALIGN with timerlat_align_us staggers the CPUs: deadlines differ by the offset', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/timerlat_align_us', '300');
    await lab.tracefs.write('osnoise/options', 'TIMERLAT_ALIGN');
    await lab.tracefs.write('current_tracer', 'timerlat');
    // Each irq event's deadline is its timestamp minus its latency; take them modulo the period.
    const phases = (trace: string): number[][] => {
      const phase: number[][] = [[], []];
      for (const m of trace.matchAll(/\[(\d{3})\]\s+(\d+)\.(\d{6}): timerlat_sample: #\d+\s+context\s+irq timer_latency\s+(\d+) ns/g)) {
        const tsUs = Number(m[2]) * 1e6 + Number(m[3]);
        phase[Number(m[1])]!.push((((tsUs - Number(m[4]) / 1e3) % 1000) + 1000) % 1000);
      }
      return phase;
    };
    // Wait on the trace itself, not the stats: both CPUs need samples in it (a loaded host can hold
    // one CPU actor back for a while after the other started).
    let phase: number[][] = [[], []];
    await expect.poll(async () => {
      phase = phases(await lab.tracefs.read('trace'));
      return Math.min(phase[0]!.length, phase[1]!.length);
    }, { timeout: 20_000 }).toBeGreaterThan(20);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const diff = (((median(phase[1]!) - median(phase[0]!)) % 1000) + 1000) % 1000;
    expect(Math.abs(diff - 300)).toBeLessThanOrEqual(2); // µs timestamps: ±1 µs each side
  });

  it('periods already in the past are skipped and counted', async () => {
    const lab = await boot({ cpus: 1 });
    await lab.tracefs.write('osnoise/timerlat_period_us', '200');
    await lab.tracefs.write('current_tracer', 'timerlat');
    await expect.poll(() => lab.timerlat.snapshot()[0]!.thread.count, { timeout: 10_000 }).toBeGreaterThan(10);
    await lab.busy(0, 5000); // a 5 ms non-preemptible section: about 25 periods go by
    await expect.poll(() => lab.timerlat.snapshot()[0]!.skipped, { timeout: 5000 }).toBeGreaterThanOrEqual(20);
  });

  it('bad values get EINVAL and change nothing', async () => {
    const lab = await boot({ cpus: 2 });
    for (const [file, value] of [
      ['osnoise/timerlat_period_us', '99'],
      ['osnoise/timerlat_period_us', '1000001'],
      ['osnoise/options', 'NO_SUCH_OPTION'],
      ['osnoise/cpus', '3-1'],
      ['osnoise/cpus', 'a'],
      ['osnoise/cpus', '0-99'],
      ['osnoise/noise', 'thread:5ms/1ms'],
    ] as const) {
      await expect(lab.tracefs.write(file, value), `${file} <- ${value}`).rejects.toMatchObject({ code: 'EINVAL' });
    }
    expect(await lab.tracefs.read('osnoise/timerlat_period_us')).toBe('1000\n');
    expect(await lab.tracefs.read('osnoise/cpus')).toBe('0-1\n');
    expect(await lab.tracefs.read('osnoise/options')).toBe('DEFAULTS OSNOISE_WORKLOAD NO_PANIC_ON_STOP NO_OSNOISE_PREEMPT_DISABLE NO_OSNOISE_IRQ_DISABLE NO_TIMERLAT_ALIGN\n');
    expect(await lab.tracefs.read('available_tracers')).toBe('timerlat nop\n');
    await expect(lab.tracefs.open('osnoise/per_cpu/cpu5/timerlat_fd')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
