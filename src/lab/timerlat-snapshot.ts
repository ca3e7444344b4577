// lab.timerlat.snapshot(): every CPU's irq/thread/user-ret summaries, its skipped and no-waiter
// counts and its activation seqnum, read from the shared timerlat region while the CPUs keep writing
// (seqcount retries, no pause; while tracing is off nothing is counted, so the summaries hold still). Control plane (main thread), or any thread that attached the region.
import { Ctx, readSample, summarize, type LatencySnapshot, type LatencySummary } from '../tracers/latency-stats.js';
import { TLC, type TimerlatShm } from '../tracers/timerlat-layout.js';
import type { TimerlatCpuStats } from './timerlat-types.js';

/** One TimerlatCpuStats per CPU in 0..cpus-1. */
export function timerlatSnapshot(s: TimerlatShm, cpus: number): TimerlatCpuStats[] {
  return Array.from({ length: cpus }, (_, cpu) => {
    const cb = s.cpuBase(cpu);
    return {
      cpu,
      irq: summarize(readSample(s.stats, cpu, Ctx.IRQ)),
      thread: summarize(readSample(s.stats, cpu, Ctx.THREAD)),
      user: summarize(readSample(s.stats, cpu, Ctx.USER)),
      skipped: Atomics.load(s.i32, cb + TLC.SKIPPED), // RMW counter of this CPU
      noWaiter: Atomics.load(s.i32, cb + TLC.NO_WAITER), // RMW counter of this CPU
      activation: Atomics.load(s.i32, cb + TLC.SEQ), // stale-ok: a plain store of this CPU's IRQ, at most one activation behind
    };
  });
}

/**
 * The summary (count, min, avg, max, stddev, percentiles) of one raw record from
 * `lab.timerlat.histogram(cpu, ctx)`: built from that single read, so it describes exactly the
 * samples of the histogram and sums beside it, even while the CPU keeps writing.
 */
export const summarizeRecord: (raw: LatencySnapshot) => LatencySummary = summarize;
