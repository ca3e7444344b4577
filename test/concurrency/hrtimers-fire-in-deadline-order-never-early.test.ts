import { describe, expect, it } from 'vitest';
import { useLabs } from '../helpers/lab-fixture.js';
import { mulberry32, testSeed, withSeed } from '../helpers/seeded-rng.js';

describe('hrtimers on a CPU actor', () => {
  const boot = useLabs();

  it('timers armed out of order fire in deadline order and never before their deadline', async () => {
    const seed = testSeed(0x5eed01);
    const rng = mulberry32(seed);
    const lab = await boot({ cpus: 3 });
    const now = lab.now();
    const deadlines = Array.from({ length: 40 }, () => now + 2e6 + Math.floor(rng() * 50e6));
    const results = await Promise.all([0, 1, 2].map((cpu) => lab.armTimers(cpu, deadlines)));
    for (const fired of results) {
      expect(fired).toHaveLength(deadlines.length);
      const order = fired.map((f) => f.deadlineNs);
      expect(order, withSeed(seed, 'deadline order')).toEqual([...deadlines].sort((a, b) => a - b));
      for (const f of fired) expect(f.firedNs, withSeed(seed, `early by ${f.deadlineNs - f.firedNs} ns`)).toBeGreaterThanOrEqual(f.deadlineNs);
    }
    expect(lab.cpuStats().slice(0, 3).every((s) => s.timers === deadlines.length)).toBe(true);
  });

  it('a deadline already in the past fires at once', async () => {
    const lab = await boot({ cpus: 1 });
    const past = lab.now() - 1e6;
    const [f] = await lab.armTimers(0, [past]);
    expect(f!.firedNs).toBeGreaterThanOrEqual(past);
  });
});
