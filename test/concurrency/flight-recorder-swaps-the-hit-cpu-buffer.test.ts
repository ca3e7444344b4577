import { describe, expect, it } from 'vitest';
import { useLabs } from '../helpers/lab-fixture.js';

describe('flight recorder (swapCpu)', () => {
  const boot = useLabs();

  it('lab.flightRecord(cpu) returns the CPU trace so far and later events go to the other bank', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/cpus', '0');
    await lab.tracefs.write('current_tracer', 'timerlat');
    await expect.poll(() => lab.timerlat.snapshot()[0]!.thread.count, { timeout: 10_000 }).toBeGreaterThan(10);
    const lines = lab.flightRecord(0);
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines[0]).toMatch(/\[000\] +\d+\.\d{6}: timerlat_sample: #1 +context +irq timer_latency +\d+ ns/);
    const seqs = lines.map((l) => Number(/#(\d+)/.exec(l)![1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // in order, nothing from after the swap
    await expect.poll(() => lab.timerlat.snapshot()[0]!.irq.count, { timeout: 5000 }).toBeGreaterThan(Math.max(...seqs) + 5);
    const after = (await lab.tracefs.read('trace')).split('\n').filter((l) => l.includes('timerlat_sample'));
    const firstAfter = Number(/#(\d+)/.exec(after[0]!)![1]);
    expect(firstAfter).toBeGreaterThanOrEqual(Math.max(...seqs)); // the live bank holds only what came later
  });
});
