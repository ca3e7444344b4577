// Claim: under many seeded timerlat_fd holder lives (open/read/close, SIGKILL, self-migration,
// control-plane migration, EBUSY contenders, tracer changes) on real workers, every invariant holds:
// no leaked holder, no stuck timer, consistent counts, no task or worker left — and the KTAP report
// of `tracelab stress timerlat` says so. Bounded; the seed is printed on failure.
import { describe, expect, it } from 'vitest';
import { createKtapWriter } from '../../src/report/ktap.js';
import { reportTimerlatStress, runTimerlatStress } from '../../src/selftest/timerlat-stress.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';
import { useLabs, within } from '../helpers/lab-fixture.js';

describe('stress timerlat', () => {
  const boot = useLabs();

  it('keeps every invariant over seeded cycles on 3 CPUs with 2 tracer changes, and reports them in KTAP', async () => {
    const seed = testSeed(0x5eed);
    const opts = { cpus: 3, durationMs: 2000, epochs: 2, seed };
    const r = await within(40_000, 'stress run', runTimerlatStress(opts));
    const failed = r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    expect(failed, withSeed(seed, failed.join('\n'))).toEqual([]);
    // Every action ran, and the invariants that matter were actually exercised.
    for (const n of Object.values(r.cycles)) expect(n, withSeed(seed, JSON.stringify(r.cycles))).toBeGreaterThan(0);
    const names = r.checks.map((c) => c.name);
    for (const n of ['cycles_end_as_expected', 'no_leaked_holder', 'tracer_change_sigkills_holders', 'counts_consistent', 'no_stuck_timer', 'no_task_left', 'no_worker_left']) {
      expect(names, withSeed(seed, n)).toContain(n);
    }
    expect(r.samples.irq).toBeGreaterThanOrEqual(r.samples.thread);

    const lines: string[] = [];
    const ktap = createKtapWriter((l) => lines.push(l), 1);
    const sub = ktap.subtest('timerlat', r.checks.length);
    expect(reportTimerlatStress(sub, opts, r)).toBe(true);
    sub.end();
    expect(ktap.finish()).toMatchObject({ fail: 0, error: 0, pass: r.checks.length });
    expect(lines.join('\n')).toMatch(new RegExp(`# timerlat stress: cpus=3 .*seed=${seed}`));
    expect(lines.filter((l) => /^\s+ok \d+ /.test(l))).toHaveLength(r.checks.length);
  });

  it('runs on a given lab and leaves it usable; the same seed replays the same actions on each CPU', async () => {
    const runOn = async (seed: number) => {
      const lab = await boot({ cpus: 2 });
      const r = await within(30_000, 'stress on a lab', runTimerlatStress({ lab, durationMs: 500, epochs: 1, seed }));
      expect(r.checks.filter((c) => !c.ok), withSeed(seed, 'failed checks')).toEqual([]);
      expect(lab.closed).toBe(false);
      expect(await lab.tracefs.read('current_tracer')).toBe('timerlat\n');
      return r.lanes;
    };
    const [a, b, other] = [await runOn(7), await runOn(7), await runOn(8)];
    // How many cycles fit in 500 ms depends on the host; the order of actions does not.
    const prefix = (x: readonly string[], y: readonly string[]): readonly string[][] => [x.slice(0, Math.min(x.length, y.length)), y.slice(0, Math.min(x.length, y.length))];
    for (let cpu = 0; cpu < 2; cpu++) {
      const [x, y] = prefix(a[cpu]!, b[cpu]!);
      expect(x!.length).toBeGreaterThan(0);
      expect(x).toEqual(y);
    }
    expect(JSON.stringify(other)).not.toEqual(JSON.stringify(a));
  });
});
