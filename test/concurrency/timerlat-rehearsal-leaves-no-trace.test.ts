// Claim: the rehearsal a CPU actor runs at its first timerlat start, or in lab.timerlat.prepare()
// (actors/cpu.ts), touches nothing shared: after the start, the CPU's counters, the timerlat stats,
// the trace ring and tracing_max_latency hold only the real run's activations, and seqnums start
// at 1. Also: clock stamps are doubles (≥ 2^31 ns) from the first one (src/shm/clock.ts).
import { describe, expect, it } from 'vitest';
import { clockNs } from '../../src/shm/clock.js';
import { useLabs, within } from '../helpers/lab-fixture.js';

const boot = useLabs();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('timerlat rehearsal', () => {
  it('clock stamps start above the small-integer range', () => {
    expect(clockNs()).toBeGreaterThanOrEqual(2 ** 32);
  });

  it.each([
    ['at the first start', false],
    ['in lab.timerlat.prepare(), before the start', true],
  ])('run %s, leaves no activation in the CPU counters, the stats, the ring or tracing_max_latency', async (_, prepare) => {
    const lab = await boot({ cpus: 2 });
    if (prepare) {
      expect(await within(20_000, 'prepare', lab.timerlat.prepare())).toBe(2); // both CPUs rehearsed now
      expect(await within(20_000, 'prepare again', lab.timerlat.prepare())).toBe(0); // once per CPU actor
    }
    const before = lab.cpuStats();
    await lab.tracefs.write('osnoise/timerlat_period_us', '10000'); // 10 ms: a few real activations only
    await lab.tracefs.write('current_tracer', 'timerlat');
    await within(10_000, 'three activations per CPU', (async () => {
      while (lab.timerlat.snapshot().some((s) => s.thread.count < 3)) await sleep(5);
    })());
    await lab.tracefs.write('current_tracer', 'nop'); // freezes the counters
    const snap = lab.timerlat.snapshot();
    const after = lab.cpuStats();
    for (const s of snap) {
      // The rehearsal runs 2300 activations per CPU; a 10 ms period in this window gives tens at most.
      expect(s.irq.count).toBeLessThan(200);
      expect(s.thread.count).toBeLessThanOrEqual(s.irq.count);
      const irqs = after[s.cpu]!.irqs - before[s.cpu]!.irqs;
      expect(irqs).toBe(s.irq.count); // this CPU's timer IRQs are the real run's only (no other timer is armed)
    }
    const lines = (await lab.tracefs.read('trace')).split('\n').filter((l) => /timerlat_sample|#\d+ context/.test(l));
    const seqnums = lines.map((l) => Number(/#(\d+)/.exec(l)?.[1]));
    expect(lines.length).toBe(snap.reduce((a, s) => a + s.irq.count + s.thread.count, 0));
    expect(Math.min(...seqnums)).toBe(1);
    const maxUs = Number((await lab.tracefs.read('tracing_max_latency')).trim());
    const worstThreadUs = Math.max(...snap.map((s) => Math.floor((s.thread.maxNs ?? 0) / 1000)));
    expect(maxUs).toBe(worstThreadUs);
  });
});
