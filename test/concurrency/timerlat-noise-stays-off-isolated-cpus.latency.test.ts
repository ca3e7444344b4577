import { describe, expect, it } from 'vitest';
import { useLabs } from '../helpers/lab-fixture.js';
import { threadLagCounts } from '../../src/selftest/timerlat-trace.js';

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
    // The clean CPU is judged by how often its thread lags its own IRQ, not by max latency: the host
    // (2 shared cores) delays whole workers, IRQ and thread alike; thread noise delays only the thread.
    const behind = threadLagCounts(await lab.tracefs.read('trace'), 2, 200_000);
    expect(behind[1]!, `thread ≥ 200 µs behind its IRQ: cpu1 ${behind[1]}, cpu0 ${behind[0]}`).toBeGreaterThan(3 * behind[0]!);
    expect(c1!.thread.avgNs!).toBeGreaterThan(c0!.thread.avgNs!);
  });
});
