import { describe, expect, it } from 'vitest';
import { useLabs } from '../helpers/lab-fixture.js';

describe('Lab.boot / shutdown', () => {
  const boot = useLabs();

  it.each([1, 2, 8])('boots %i CPU actors online and shuts them all down', async (cpus) => {
    const lab = await boot({ cpus });
    expect(lab.cpus).toBe(cpus);
    const stats = lab.cpuStats();
    expect(stats.map((s) => s.state)).toEqual(Array(cpus).fill('online'));
    expect(lab.workers.cpu).toBe(cpus);
    await lab.shutdown();
    expect(lab.workers).toEqual({ cpu: 0, task: 0 });
    expect(lab.cpuStats().every((s) => s.state === 'stopped')).toBe(true);
  });

  it('shutdown is idempotent and later calls reject with ESHUTDOWN', async () => {
    const lab = await boot({ cpus: 2 });
    await Promise.all([lab.shutdown(), lab.shutdown()]);
    await expect(lab.spawn('nowhere.js')).rejects.toMatchObject({ code: 'ESHUTDOWN' });
  });

  it('idle CPU actors sleep instead of polling: idle time dominates busy time', async () => {
    const lab = await boot({ cpus: 4 });
    const before = lab.cpuStats();
    await lab.ipiRoundTrip(0, 1, 1); // let each loop publish at least once more
    await new Promise((r) => setTimeout(r, 300));
    for (let c = 0; c < 4; c++) lab.ipi(c, 'resched'); // make every CPU publish its stats
    await new Promise((r) => setTimeout(r, 50));
    const after = lab.cpuStats();
    for (let c = 0; c < 4; c++) {
      const idle = after[c]!.idleNs - before[c]!.idleNs;
      const busy = after[c]!.busyNs - before[c]!.busyNs;
      expect(idle, `cpu${c} idle ${idle} ns vs busy ${busy} ns`).toBeGreaterThan(busy * 5);
    }
  });
});
