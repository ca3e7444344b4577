// Claim: lab.timerlat.histogram(cpu, ctx) accepts the CPUs of the lab and the contexts irq, thread,
// user-ret and 'user' (snapshot()'s field name, an alias of user-ret); anything else is a
// KernelError EINVAL naming what is allowed (it used to be a raw RangeError from Atomics).
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/index.js';
import { useLabs } from '../helpers/lab-fixture.js';

describe('timerlat.histogram arguments', () => {
  const boot = useLabs();

  it('bad cpus and contexts get EINVAL naming the range; user is user-ret', async () => {
    const lab = await boot({ cpus: 2 });
    const tl = lab.timerlat;
    const bad: Array<[number, string, RegExp]> = [
      [2, 'irq', /cpu must be a whole number in 0\.\.1, got 2/],
      [-1, 'irq', /0\.\.1, got -1/],
      [0.5, 'thread', /0\.\.1/],
      [NaN, 'thread', /0\.\.1/],
      [0, 'bogus', /one of irq, thread, user-ret/],
      [0, 'IRQ', /one of irq, thread, user-ret/],
    ];
    for (const [cpu, ctx, msg] of bad) {
      let err: unknown = null;
      try {
        tl.histogram(cpu, ctx as 'irq');
      } catch (e) {
        err = e;
      }
      expect(err, `${cpu} ${ctx}`).toBeInstanceOf(KernelError);
      expect(err, `${cpu} ${ctx}`).toMatchObject({ code: 'EINVAL', syscall: 'histogram' });
      expect((err as Error).message).toMatch(msg);
    }
    for (const ctx of ['irq', 'thread', 'user-ret', 'user'] as const) expect(() => tl.histogram(1, ctx)).not.toThrow();
    await lab.tracefs.write('current_tracer', 'timerlat');
    // Until CPU 0 has counted an IRQ sample (the start's rehearsals take ~0.1–0.3 s), bounded at 10 s.
    for (const end = Date.now() + 10_000; tl.snapshot()[0]!.irq.count === 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    await lab.tracefs.write('current_tracer', 'nop');
    expect(tl.snapshot()[0]!.irq.count).toBeGreaterThan(0);
    expect(tl.histogram(0, 'user')).toEqual(tl.histogram(0, 'user-ret'));
    expect(tl.histogram(0, 'irq')).not.toEqual(tl.histogram(0, 'user'));
  });
});
