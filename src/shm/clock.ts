// One monotonic nanosecond clock, comparable across every thread of the process.
// Runs in every thread. performance.now() has a different origin in each worker, so we read
// CLOCK_MONOTONIC through process.hrtime (one process-wide origin) and subtract a shared epoch.
import { isMainThread } from 'node:worker_threads';

/** Environment variable that carries the epoch from the main thread to the workers it starts. */
export const CLOCK_EPOCH_ENV = 'TRACELAB_CLOCK_EPOCH_NS';

/*
 * Why an epoch, and what it costs: Number(hrtime.bigint()) stays exact only below 2^53 ns
 * (104 days of uptime). Subtracting an epoch keeps stamps small and exact. The main thread that
 * first loads this module picks the epoch and exports it through process.env, which every Worker
 * copies at creation, so all threads subtract the same value. A worker started by a main thread
 * that never loaded tracelab uses epoch 0: still one origin for all, exact for 104 days of uptime.
 */
function pickEpoch(): bigint {
  const inherited = process.env[CLOCK_EPOCH_ENV];
  if (inherited !== undefined && /^\d+$/.test(inherited)) return BigInt(inherited);
  if (!isMainThread) return 0n;
  const epoch = process.hrtime.bigint();
  process.env[CLOCK_EPOCH_ENV] = epoch.toString();
  return epoch;
}

const EPOCH = pickEpoch();

/** Nanoseconds since the process-wide epoch; the same clock in every thread. */
export function clockNs(): number {
  return Number(process.hrtime.bigint() - EPOCH);
}

/** The epoch in CLOCK_MONOTONIC nanoseconds (for trace file headers). */
export function clockEpochNs(): bigint {
  return EPOCH;
}
