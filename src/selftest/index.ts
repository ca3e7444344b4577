// Every registered self-test suite, in the order `tracelab selftest` runs them.
import { labSuite } from './lab-scenarios.js';
import { ringSuite } from './ring-stress.js';
import { perfSuite } from './perf-scenarios.js'; // perf
import { timerlatSuite } from './timerlat-scenarios.js';
import { uintrSuite } from './uintr-stress.js';
import type { Suite } from './runner.js';

/** All suites. Later capabilities append theirs here. */
export const suites: readonly Suite[] = [labSuite, ringSuite, timerlatSuite, uintrSuite, perfSuite]; // perf
export { runSuites, type Scenario, type Suite, type RunOptions, type ScenarioContext } from './runner.js';
