// The types of lab.timerlat's surface: what the control plane needs from the lab (TimerlatHost), the
// stop reports it emits, and the per-CPU statistics of a snapshot. Types only; used by the control
// plane (src/lab/timerlat.ts) and re-exported from there.
import type { LatencySummary } from '../tracers/latency-stats.js';
import type { StopAnalysisData } from '../tracers/timerlat.js';
import type { Tracefs } from '../tracefs/tree.js';
import type { CpuSet } from './cpus.js';

/** What timerlat needs from the rest of the lab. */
export interface TimerlatHost {
  readonly cpus: number;
  readonly fs: Tracefs;
  readonly cpuSet: CpuSet;
  cpuOf(pid: number): number | undefined;
  affinityOf(pid: number): readonly number[] | undefined;
  killHolder(pid: number): void;
  tracingOn(): boolean;
  setTracingOn(on: boolean): void;
}

/** What ran on the CPU between the timer's deadline and the sample that hit (rtla's auto-analysis input). */
export type StopAnalysis = StopAnalysisData;

/** Why tracing stopped: a threshold sample, or an exception such as a migrated fd holder. */
export type StopInfo =
  | {
      readonly kind: 'threshold';
      readonly cpu: number;
      readonly context: 'irq' | 'thread' | 'user-ret';
      readonly latencyNs: number;
      readonly thresholdUs: number;
      readonly analysis?: StopAnalysis;
      /** The `<stack trace>` a user-mode holder's stopping thread sample dumped (print_stack), frames innermost first. */
      readonly stack?: readonly string[];
    }
  | { readonly kind: 'exception'; readonly cpu: number; readonly taint: string };

/** Per-CPU statistics of one snapshot. */
export interface TimerlatCpuStats {
  readonly cpu: number;
  readonly irq: LatencySummary;
  readonly thread: LatencySummary;
  readonly user: LatencySummary;
  /** Periods whose deadline had already passed when the next one was armed. */
  readonly skipped: number;
  /** Timer wake-ups that found no reader (a signal took the fd holder away). */
  readonly noWaiter: number;
  /**
   * Seqnum of the CPU's current activation (0 before the first; a user-mode holder's open restarts
   * it). It keeps growing while tracing is off, when the counts above are frozen: the timers cycle on.
   */
  readonly activation: number;
}

/** Events of lab.timerlat. */
export interface TimerlatEvents {
  /** Tracing stopped: threshold or exception. */
  stop: [StopInfo];
}
