// Claim: the scenarios of tools/testing/selftests/perf_events/sigtrap_threads.c and the perf tool's
// sigtrap test pass with real task workers: an inherit_thread breakpoint reaches every CLONE_THREAD
// child, ENABLE/DISABLE/MODIFY_ATTRIBUTES from the parent reach the children while they run, every
// access traps exactly once in the thread that made it (signal_count == NUM_THREADS * iterations,
// tids_want_signal back to 0), and si_addr/si_perf_type/si_perf_data are the attr's.
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

const TESTS = ['remain_disabled', 'enable_event', 'modify_and_enable_event', 'signal_stress', 'signal_stress_with_disable', 'perf_sigtrap'] as const;

describe('sigtrap_threads', () => {
  const boot = useLabs();
  for (const test of TESTS) {
    it(test, async () => {
      const lab = await boot({ cpus: 2 });
      const t = await lab.spawn(fixture('perf-sigtrap-threads'), { arg: { role: 'main', test } });
      const st = await within(45_000, test, t.exited);
      expect(st, t.error).toEqual({ code: 0 });
      expect(lab.perf.eventsInUse()).toBe(0);
      expect(lab.perf.processes).toBe(0);
    });
  }
});
