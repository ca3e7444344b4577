import { describe, expect, it } from 'vitest';
import { useLabs } from '../helpers/lab-fixture.js';

describe('CPU→CPU IPIs', () => {
  const boot = useLabs();

  it('every ordered pair of 4 CPUs completes ping/pong round trips, and both sides count them', async () => {
    const lab = await boot({ cpus: 4 });
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        if (a === b) continue;
        const rtt = await lab.ipiRoundTrip(a, b, 3);
        expect(rtt).toHaveLength(3);
        for (const ns of rtt) expect(ns).toBeGreaterThan(0);
      }
    }
    const ipis = lab.cpuStats().map((s) => s.ipis);
    for (const n of ipis) expect(n).toBeGreaterThanOrEqual(9); // each CPU answered 3 peers × 3 pings at least
  });

  it('two CPUs pinging each other at the same time both finish (no IPI deadlock)', async () => {
    const lab = await boot({ cpus: 2 });
    const [ab, ba] = await Promise.all([lab.ipiRoundTrip(0, 1, 50), lab.ipiRoundTrip(1, 0, 50)]);
    expect(ab).toHaveLength(50);
    expect(ba).toHaveLength(50);
  });

  it('bad IPI targets get EINVAL and the lab keeps working', async () => {
    const lab = await boot({ cpus: 2 });
    await expect(lab.ipiRoundTrip(0, 0)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(lab.ipiRoundTrip(0, 5)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(() => lab.ipi(7, 'resched')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(await lab.ipiRoundTrip(1, 0, 1)).toHaveLength(1);
  });
});
