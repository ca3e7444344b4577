// The options of Lab.boot: their defaults and range checks, resolved once before anything is
// allocated. Control plane (main thread); pure apart from reading the core count.
import { availableParallelism } from 'node:os';
import { kerr } from '../errno.js';
import { MAX_CPUS } from '../kernel/layout.js';
import { checkTimerSlack, DEFAULT_TIMER_SLACK_NS, type TimerSlackRequest } from '../kernel/timer-slack.js';

export { DEFAULT_TIMER_SLACK_NS, MAX_TIMER_SLACK_NS } from '../kernel/timer-slack.js';
import type { TracingOptions } from './tracing.js';

/** Options of {@link Lab.boot}. */
export interface LabOptions {
  /** Simulated CPUs, 1..1024. @default the number of cores, at least 2 */
  readonly cpus?: number;
  /** Task slots in the process table, 1..4096. @default 256 */
  readonly maxTasks?: number;
  /** How long the CPU actors may take to come online, ms in (0, 2^31-1]. @default 20000 */
  readonly bootTimeoutMs?: number;
  /** The trace buffer. @default { bufferSizeKb: 1024, mode: 'overwrite' } */
  readonly tracing?: TracingOptions;
  /** User interrupts (UPID/UITT tables); `false` answers EOPNOTSUPP to every uintr call, like a CPU without the feature. @default true */
  readonly uintr?: boolean;
  /**
   * Timer slack of the lab's threads in ns (1..1e9), or 'inherit'. Linux may end a timed sleep up to
   * the slack late (50 µs for a normal task); 1 ns makes the CPU actors' timers as precise as a
   * real-time task's, which is what timerlat and cyclictest measure. Each CPU and task actor sets it on
   * its own thread (/proc/TID/timerslack_ns, no privilege needed); the caller's thread is not touched.
   * `lab.timerSlack` tells what the threads got.
   * @default 1
   */
  readonly timerSlackNs?: TimerSlackRequest;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Apply the defaults and check the ranges (EINVAL names the allowed range). */
export function resolveLabOptions(opts: LabOptions): Required<LabOptions> {
  const cpus = opts.cpus ?? Math.max(2, availableParallelism());
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) {
    throw kerr('EINVAL', 'boot', undefined, `cpus must be a whole number in 1..${MAX_CPUS}, got ${String(cpus)}`);
  }
  const maxTasks = opts.maxTasks ?? 256;
  if (!Number.isInteger(maxTasks) || maxTasks < 1 || maxTasks > 4096) {
    throw kerr('EINVAL', 'boot', undefined, `maxTasks must be a whole number in 1..4096, got ${String(maxTasks)}`);
  }
  const bootTimeoutMs = opts.bootTimeoutMs ?? 20_000;
  // The bound is Node's largest timer delay: setTimeout turns a larger one (or Infinity) into 1 ms.
  if (typeof bootTimeoutMs !== 'number' || !(bootTimeoutMs > 0 && bootTimeoutMs <= MAX_TIMER_MS)) {
    throw kerr('EINVAL', 'boot', undefined, `bootTimeoutMs must be a number of ms in (0, ${MAX_TIMER_MS}], got ${String(bootTimeoutMs)}`);
  }
  return { cpus, maxTasks, bootTimeoutMs, tracing: opts.tracing ?? {}, uintr: opts.uintr ?? true, timerSlackNs: opts.timerSlackNs === undefined ? DEFAULT_TIMER_SLACK_NS : checkTimerSlack(opts.timerSlackNs) };
}
