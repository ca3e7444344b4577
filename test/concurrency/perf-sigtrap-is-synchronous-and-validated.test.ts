// Claim: a task's own watchpoint traps synchronously (the SIGTRAP handler runs before the access
// returns, with the kernel's siginfo), blocked SIGTRAP is queued once with ASYNC, memory faults are
// SIGSEGV/SIGBUS, and every bad perf_event_open/ioctl gets the kernel's errno. Real task workers.
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

describe('perf sigtrap on one task', () => {
  const boot = useLabs();

  for (const c of ['sync', 'blocked', 'other', 'refresh', 'errors', 'software'] as const) {
    it(`${c}: the program's checks pass`, async () => {
      const lab = await boot({ cpus: 2 });
      const t = await lab.spawn(fixture('perf-basics'), { arg: { case: c } });
      const st = await within(20_000, c, t.exited);
      expect(st, t.error).toEqual({ code: 0 });
      expect(lab.perf.eventsInUse()).toBe(0);
    });
  }

  it('segv: a throwing handler unwinds the access; the default action kills with SIGSEGV', async () => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(fixture('perf-basics'), { arg: { case: 'segv' } });
    const st = await within(20_000, 'segv', t.exited);
    expect(st, t.error).toEqual({ signal: 'SIGSEGV' });
  });
});
