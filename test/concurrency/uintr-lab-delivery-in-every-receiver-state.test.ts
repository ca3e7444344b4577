// Claim: a lab task receiver takes a user interrupt in every state: running (at uintr_poll, or at any
// syscall entry without polling), blocked in another syscall (nanosleep: delivered on return, the sleep
// not cut short), blocked in uintr_wait (woken at once, EINTR). Pending vectors go high to low, one call
// each; clui masks until stui; repeated posts coalesce; no re-entry unless the handler calls stui.
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';
import { mulberry32, testSeed, withSeed } from '../helpers/seeded-rng.js';

const BOUND_MS = 30_000;

describe('uintr delivery in each receiver state (real lab tasks)', () => {
  const boot = useLabs();

  it.each(['poll', 'syscall', 'nanosleep', 'wait'] as const)('delivers to a receiver that is %s', async (state) => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-states'), { arg: { state } });
    expect(await within(BOUND_MS, `uintr-states ${state}`, t.exited), t.error).toEqual({ code: 0 });
  });

  it('delivers high to low, masks with clui, coalesces, never re-enters (seeded send orders)', async () => {
    const seed = testSeed(6);
    const rng = mulberry32(seed);
    const lab = await boot({ cpus: 2 });
    for (let round = 0; round < 3; round++) {
      const order = [5, 63, 0, 32, 17, 31, 33, 1];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const t = await lab.spawn(fixture('uintr-order'), { arg: { order } });
      expect(await within(BOUND_MS, 'uintr-order', t.exited), withSeed(seed, `order ${order.join(',')} ${t.error ?? ''}`)).toEqual({ code: 0 });
    }
  });
});
