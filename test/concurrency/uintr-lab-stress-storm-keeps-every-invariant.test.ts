// Claim: `tracelab stress uintr` (src/selftest/uintr-stress.ts) holds every invariant with real lab
// tasks: many senders storming many receivers that poll, sleep in uintr_wait and mask with clui/stui,
// one receiver SIGKILLed mid-storm; every posting delivered or coalesced, no re-entry, nothing while
// masked, no lost wake-up, no sender fault. Seeded (TRACELAB_SEED), bounded, no timing assertion.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';
import { runUintrStress } from '../../src/selftest/uintr-stress.js';

describe('stress uintr', () => {
  const boot = useLabs();

  it('keeps every invariant through a storm with a receiver killed halfway', async () => {
    const seed = testSeed(0x6e6);
    const lab = await boot({ cpus: 2, maxTasks: 32 });
    const r = await within(90_000, 'stress uintr', runUintrStress({ receivers: 3, senders: 4, vectors: 5, targets: 6, kill: 1, durationMs: 800, seed }, lab));
    const failed = r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    expect(failed, withSeed(seed, failed.join('\n'))).toEqual([]);
    expect(r.checks).toHaveLength(7);
    expect(r.posts).toBeGreaterThan(0);
    expect(r.deliveries).toBeGreaterThan(0);
    expect(r.killed).toBe(1);
  });
});
