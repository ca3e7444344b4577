// `tracelab stress timerlat` and its short self-test: many timerlat_fd holder lives (open, read,
// close; SIGKILL; self-migration; migration from the control plane; an EBUSY contender) on every
// simulated CPU at once, in epochs that end with a tracer change (which SIGKILLs every holder).
// Invariants: every cycle ends as its action predicts, no holder leaks (each CPU opens again),
// counts stay consistent (irq ≥ thread ≥ user-ret, gaps bounded by the holders that died), no timer
// is stuck (fresh holders get samples on every CPU at the end), no task is left. Control plane;
// every wait is bounded; the seed picks every action and is printed for replay.
import { Lab } from '../lab/lab.js';
import type { KtapLevel } from '../report/ktap.js';
import { clockNs } from '../shm/clock.js';
import type { Scenario } from './runner.js';
import { ACTIONS, Run, WAIT_MS, type Action } from './timerlat-stress-run.js';

export type { Action };

/** Options of a timerlat stress run. */
export interface TimerlatStressOptions {
  /** Simulated CPUs, one holder lane each. @default 3 */
  readonly cpus?: number;
  /** Total time spent cycling holders (the final checks come on top). @default 2000 */
  readonly durationMs?: number;
  /** Epochs: each ends with current_tracer nop (SIGKILLs holders) and timerlat again. @default max(1, durationMs / 1000) */
  readonly epochs?: number;
  /** timerlat_period_us. @default 200 */
  readonly periodUs?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Run on this lab instead of booting one (its CPU count wins; it must be fresh, tracer nop). */
  readonly lab?: Lab;
}

/** One checked invariant. */
export interface TimerlatStressCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a run did and what it checked. */
export interface TimerlatStressResult {
  readonly cycles: Readonly<Record<Action, number>>;
  /** The actions each CPU lane ran, in order (a function of the seed; the length depends on time). */
  readonly lanes: ReadonlyArray<readonly Action[]>;
  readonly epochs: number;
  readonly samples: { irq: number; thread: number; user: number };
  readonly checks: TimerlatStressCheck[];
}

/** Run the stress and return its checks (never throws on a broken invariant; it reports it). */
export async function runTimerlatStress(opts: TimerlatStressOptions = {}): Promise<TimerlatStressResult> {
  const lab = opts.lab ?? (await Lab.boot({ cpus: opts.cpus ?? 3 }));
  const durationMs = opts.durationMs ?? 2000;
  const epochs = opts.epochs ?? Math.max(1, Math.round(durationMs / 1000));
  const run = new Run(lab, opts.seed ?? 1);
  try {
    if (lab.cpus < 2) throw new Error('stress timerlat needs at least 2 CPUs (holders migrate between them)');
    await lab.tracefs.write('osnoise/timerlat_period_us', String(opts.periodUs ?? 200));
    await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
    await lab.tracefs.write('current_tracer', 'timerlat');
    for (let e = 0; e < epochs; e++) {
      const end = clockNs() + (durationMs / epochs) * 1e6;
      await Promise.all(
        Array.from({ length: lab.cpus }, async (_, cpu) => {
          while (clockNs() < end) await run.cycle(cpu);
        }),
      );
      await run.tracerChange(e + 1);
    }
    await run.noStuckTimer(10);
    const n = run.checkCounts('final');
    run.total.irq += n.irq;
    run.total.thread += n.thread;
    run.total.user += n.user;
    const deadline = clockNs() + WAIT_MS * 1e6;
    while (lab.ps().length > 0 && clockNs() < deadline) await new Promise((r) => setTimeout(r, 10));
    run.note('no_task_left', lab.ps().length === 0, `tasks still alive: ${lab.ps().map((t) => `${t.pid}:${t.comm}:${t.state}`).join(', ')}`);
    run.note('run_completed', true, ''); // every epoch ran to its end without an exception
  } catch (e) {
    run.note('run_completed', false, e instanceof Error ? e.message : String(e));
  } finally {
    if (opts.lab === undefined) await lab.shutdown();
  }
  if (opts.lab === undefined) run.note('no_worker_left', lab.workers.cpu + lab.workers.task === 0, `after shutdown: ${JSON.stringify(lab.workers)}`);
  const names = ['cycles_end_as_expected', 'contender_gets_ebusy', 'no_leaked_holder', 'tracer_change_sigkills_holders', 'counts_consistent', 'no_stuck_timer', 'no_task_left', 'run_completed', 'no_worker_left'];
  const checks = names
    .filter((n) => run.passes.has(n) || run.failures.has(n))
    .map((name) => {
      const f = run.failures.get(name);
      const held = run.passes.get(name) ?? 0;
      return { name, ok: f === undefined, detail: f?.join('; ') ?? `${name}: ${held} ${held === 1 ? 'check' : 'checks'} held` };
    });
  return { cycles: run.cycles, lanes: run.lanes, epochs, samples: run.total, checks };
}

/** Print a run as KTAP on `level` (one result per invariant); returns whether all held. */
export function reportTimerlatStress(level: KtapLevel, opts: TimerlatStressOptions, r: TimerlatStressResult): boolean {
  level.diagnostic(`timerlat stress: cpus=${opts.lab?.cpus ?? opts.cpus ?? 3} duration=${opts.durationMs ?? 2000}ms epochs=${r.epochs} period=${opts.periodUs ?? 200}us seed=${opts.seed ?? 1}`);
  level.diagnostic(`cycles: ${ACTIONS.map((a) => `${a} ${r.cycles[a]}`).join(', ')}; samples irq ${r.samples.irq}, thread ${r.samples.thread}, user-ret ${r.samples.user}`);
  for (const c of r.checks) {
    level.diagnostic(c.detail);
    level.result(c.name, c.ok ? { kind: 'pass' } : { kind: 'fail', reason: c.detail });
  }
  return r.checks.every((c) => c.ok);
}

/** The short self-test form: 3 CPUs, 1.5 s, a fixed seed. */
export const timerlatStressScenario: Scenario = {
  name: 'stress_short',
  lab: { cpus: 3 },
  timeoutS: 40,
  async run({ lab, check, log }) {
    const opts = { lab, durationMs: 1500, epochs: 1, seed: 0x7113 };
    const r = await runTimerlatStress(opts);
    log(`cycles ${ACTIONS.map((a) => `${a} ${r.cycles[a]}`).join(', ')}, seed ${opts.seed}`);
    for (const c of r.checks) check(c.ok, `${c.name}: ${c.detail}`);
  },
};
