// The kselftest-style runner behind `tracelab selftest` and `tracelab stress`: runs registered
// scenarios, each against a fresh Lab, under a per-test timeout, and streams KTAP version 1.
// Control plane only. A scenario that times out is reported `# TIMEOUT N seconds` and its lab is
// still shut down (bounded), so the run goes on.
import { KernelError } from '../errno.js';
import { Lab, type LabOptions } from '../lab/lab.js';
import { createKtapWriter, type KtapLevel, type KtapResult, type KtapSink, type KtapTotals } from '../report/ktap.js';

/** What a scenario's body gets: its fresh lab and a diagnostic logger (`# …` lines). */
export interface ScenarioContext {
  readonly lab: Lab;
  log(text: string): void;
  /** Fail unless `cond`, with `what` as the reason. */
  check(cond: boolean, what: string): void;
}

/** One self-test. It throws to fail, returns `{ skip }` to skip. */
export interface Scenario {
  readonly name: string;
  /** Lab options for the fresh lab. @default { cpus: 2 } */
  readonly lab?: LabOptions;
  /** Per-test timeout, like kselftest's `timeout` setting. @default 45 */
  readonly timeoutS?: number;
  run(ctx: ScenarioContext): Promise<void | { skip: string }>;
}

/** A named group of scenarios: one KTAP subtest. */
export interface Suite {
  readonly name: string;
  readonly scenarios: readonly Scenario[];
}

/** Options of a run. */
export interface RunOptions {
  /** Only scenarios whose `suite/name` contains this text. @default all */
  readonly filter?: string;
  /** Override every scenario's timeout. @default each scenario's own */
  readonly timeoutS?: number;
}

class CheckFailed extends Error {}

/** Run `suites` and stream KTAP to `sink`; resolves with the totals (exit 0 only when fail+error is 0). */
export async function runSuites(suites: readonly Suite[], sink: KtapSink, opts: RunOptions = {}): Promise<KtapTotals> {
  const chosen = suites
    .map((s) => ({ name: s.name, scenarios: s.scenarios.filter((c) => opts.filter === undefined || `${s.name}/${c.name}`.includes(opts.filter)) }))
    .filter((s) => s.scenarios.length > 0);
  const ktap = createKtapWriter(sink, chosen.length);
  for (const suite of chosen) {
    const sub = ktap.subtest(suite.name, suite.scenarios.length);
    for (const sc of suite.scenarios) await runOne(sub, sc, opts.timeoutS ?? sc.timeoutS ?? 45);
    sub.end();
  }
  return ktap.finish();
}

async function runOne(level: KtapLevel, sc: Scenario, timeoutS: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutS * 1000)));
  const booting = Lab.boot(sc.lab ?? { cpus: 2 });
  const body = (async (): Promise<KtapResult> => {
    const lab = await booting;
    const ctx: ScenarioContext = {
      lab,
      log: (text) => level.diagnostic(`${sc.name}: ${text}`),
      check(cond, what) {
        if (!cond) throw new CheckFailed(what);
      },
    };
    const r = await sc.run(ctx);
    return r === undefined ? { kind: 'pass' } : { kind: 'skip', reason: r.skip };
  })().catch((e: unknown): KtapResult => {
    const reason = e instanceof CheckFailed || e instanceof KernelError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    return { kind: 'fail', reason };
  });
  const result = await Promise.race([body, timeout]);
  clearTimeout(timer);
  // Shut the lab down whether the body finished or not; a body still running loses its workers.
  await booting.then((lab) => lab.shutdown(), () => undefined);
  level.result(sc.name, result === 'timeout' ? { kind: 'timeout', seconds: timeoutS } : result);
}

/** URL of a program shipped for self-tests (dist/src/selftest/programs/NAME.js). */
export function program(name: string): URL {
  return new URL(`./programs/${name}.js`, import.meta.url.includes('/dist/') ? import.meta.url : new URL('../../dist/src/selftest/runner.js', import.meta.url));
}
