import { describe, expect, it } from 'vitest';
import { useLabs } from '../helpers/lab-fixture.js';

// Runs in the 'latency' project: last and alone (see vitest.config.ts).
describe('timerlat noise and isolation', () => {
  const boot = useLabs();

  it('a 500 µs thread-noise source on CPU 1 pushes its max thread latency over 500 µs; CPU 0, outside the noise mask, stays clear', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/noise_mask', '1');
    await lab.tracefs.write('osnoise/noise', 'thread:500us/2ms:random');
    await lab.tracefs.write('current_tracer', 'timerlat');
    await expect.poll(() => lab.timerlat.snapshot()[1]!.thread.count, { timeout: 15_000 }).toBeGreaterThan(700);
    const [c0, c1] = lab.timerlat.snapshot();
    expect(c1!.thread.maxNs!).toBeGreaterThan(500_000);
    // The clean CPU is judged by how often it is late, not by its max: the host (2 shared cores,
    // other test files running) adds rare outliers of its own.
    const over = (cpu: number): number => lab.timerlat.histogram(cpu, 'thread').hist.slice(300).reduce((a, b) => a + b, 0);
    expect(over(1), `late ≥ 300 µs: cpu1 ${over(1)}, cpu0 ${over(0)}`).toBeGreaterThan(3 * over(0));
    expect(c1!.thread.avgNs!).toBeGreaterThan(c0!.thread.avgNs!);
  });
});
