// Claim: the scenarios of tools/testing/selftests/perf_events/remove_on_exec.c pass with real task
// workers: an inherit event reaches fork children (enabled through the forked fd), exec removes a
// remove_on_exec event only from the task that execs, and the parent and other children keep it.
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

const TESTS = ['fork_only', 'fork_exec_then_enable', 'enable_then_fork_exec', 'exec_stress'] as const;

describe('remove_on_exec', () => {
  const boot = useLabs();
  for (const test of TESTS) {
    it(test, async () => {
      const lab = await boot({ cpus: 2 });
      const t = await lab.spawn(fixture('perf-remove-on-exec'), { arg: { role: 'main', test } });
      const st = await within(50_000, test, t.exited);
      expect(st, t.error).toEqual({ code: 0 });
    });
  }
});
