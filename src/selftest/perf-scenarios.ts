// Self-test scenarios of perf sigtrap, under the upstream names: the kselftests
// tools/testing/selftests/perf_events/sigtrap_threads.c and remove_on_exec.c, the perf tool's
// `Sigtrap` test (tools/perf/tests/sigtrap.c), and tracelab's own inheritance and delivery checks.
// Control plane; each scenario runs its task program against a fresh lab.
import type { Lab } from '../lab/lab.js';
import { program, type Scenario, type Suite } from './runner.js';

async function runProgram(lab: Lab, name: string, arg: unknown, check: (cond: boolean, what: string) => void): Promise<void> {
  const t = await lab.spawn(program(name), { arg });
  const st = await t.exited;
  check('code' in st && st.code === 0, `${JSON.stringify(st)} ${t.error ?? ''}`.trim());
  check(lab.perf.eventsInUse() === 0, `no perf event left behind (${lab.perf.eventsInUse()} in use)`);
}

const sigtrapThreads: Scenario[] = ['remain_disabled', 'enable_event', 'modify_and_enable_event', 'signal_stress', 'signal_stress_with_disable'].map((test) => ({
  name: `sigtrap_threads.${test}`,
  lab: { cpus: 2 },
  timeoutS: 60,
  run: ({ lab, check }) => runProgram(lab, 'perf-sigtrap-threads', { role: 'main', test }, check),
}));

const removeOnExec: Scenario[] = ['fork_only', 'fork_exec_then_enable', 'enable_then_fork_exec', 'exec_stress'].map((test) => ({
  name: `remove_on_exec.${test}`,
  lab: { cpus: 2 },
  timeoutS: 60,
  run: ({ lab, check }) => runProgram(lab, 'perf-remove-on-exec', { role: 'main', test }, check),
}));

const tracelab: Scenario[] = [
  { name: 'perf_test.sigtrap', lab: { cpus: 2 }, run: ({ lab, check }) => runProgram(lab, 'perf-sigtrap-threads', { role: 'main', test: 'perf_sigtrap' }, check) },
  ...(['sync', 'blocked', 'other', 'refresh', 'errors', 'software'] as const).map((c): Scenario => ({
    name: `perf_sigtrap.${c}`,
    lab: { cpus: 2 },
    run: ({ lab, check }) => runProgram(lab, 'perf-basics', { case: c }, check),
  })),
  ...(['matrix', 'modify', 'storm', 'exec'] as const).map((c): Scenario => ({
    name: `perf_inherit.${c}`,
    lab: { cpus: 2 },
    run: ({ lab, check }) => runProgram(lab, 'perf-inherit', { role: 'main', case: c }, check),
  })),
];

/** The perf suite: `tracelab selftest --filter perf`. */
export const perfSuite: Suite = { name: 'perf', scenarios: [...sigtrapThreads, ...removeOnExec, ...tracelab] };
