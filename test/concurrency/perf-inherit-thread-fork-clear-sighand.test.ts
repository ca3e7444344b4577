// Claim: inheritance follows upstream: inherit events reach CLONE_THREAD and fork children,
// inherit_thread ones only threads, sigtrap ones never a CLONE_CLEAR_SIGHAND child; children's
// counts fold into the parent's read(); MODIFY_ATTRIBUTES moves a running child's watchpoint; many
// threads hitting one watchpoint at once each get exactly one SIGTRAP per access; exec removes the
// event but keeps a non-CLOEXEC fd. Real task workers.
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

describe('perf inheritance', () => {
  const boot = useLabs();
  for (const c of ['matrix', 'modify', 'storm', 'exec'] as const) {
    it(c, async () => {
      const lab = await boot({ cpus: 2 });
      const t = await lab.spawn(fixture('perf-inherit'), { arg: { role: 'main', case: c } });
      const st = await within(45_000, c, t.exited);
      expect(st, t.error).toEqual({ code: 0 });
      expect(lab.perf.eventsInUse()).toBe(0);
    });
  }
});
