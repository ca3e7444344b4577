// The one result record of a timerlat experiment (rtla's per-CPU timerlat_top/hist data), filled by
// the CLI's collection step and rendered by top, hist, JSON, HTML and auto-analysis alike.
// Presentation layer types only: plain data, no SAB, no workers.
import type { LatencySummary } from '../tracers/latency-stats.js';
import type { StopInfo } from '../lab/timerlat.js';

/** Sample contexts as rtla names its columns: IRQ, Thread (Thr), Ret user (Usr). */
export type TimerlatContext = 'irq' | 'thread' | 'user';
export const TIMERLAT_CONTEXTS: readonly TimerlatContext[] = ['irq', 'thread', 'user'];

/** One (cpu, context): the summary plus the histogram counts (dense, one per bucket of {@link HistogramLayout}). */
export interface ContextResult {
  readonly summary: LatencySummary;
  readonly hist: readonly number[];
  /** Sum of latencies, ns (for exact ALL averages). */
  readonly sumNs: number;
}

/** One monitored CPU. */
export interface CpuResult {
  readonly cpu: number;
  readonly irq: ContextResult;
  readonly thread: ContextResult;
  readonly user: ContextResult;
  /** Periods whose deadline had passed when the next one was armed. */
  readonly skipped: number;
  /** Timer wake-ups that found no reader (user mode). */
  readonly noWaiter: number;
}

/** Bucket bounds in µs: bucket b holds [lowUs[b], highUs[b]). */
export interface HistogramLayout {
  readonly lowUs: readonly number[];
  readonly highUs: readonly number[];
}

/** Trace events lost or dropped on one CPU's ring buffer (the samples themselves are never lost: they are counted in shared memory). */
export interface CpuLoss {
  readonly cpu: number;
  readonly overrun: number;
  readonly dropped: number;
  readonly commitOverrun: number;
}

/** A noise source as configured. */
export interface NoiseInfo {
  readonly spec: string;
  readonly name: string;
  readonly kind: string;
  readonly durationUs: number;
  readonly periodUs: number;
  readonly cpus: readonly number[];
}

/** The configuration a run used (what --json records under `config`). */
export interface TimerlatConfig {
  readonly tool: 'top' | 'hist';
  readonly cpus: readonly number[];
  readonly simCpus: number;
  readonly periodUs: number;
  readonly durationS: number | null;
  readonly irqUs: number | null;
  readonly threadUs: number | null;
  readonly stackUs: number | null;
  readonly workload: 'kernel' | 'user' | 'user-load';
  readonly userLoad: string | null;
  readonly nano: boolean;
  readonly warmUpS: number;
  readonly bucketSize: number;
  readonly entries: number;
  readonly logBuckets: boolean;
  readonly noise: readonly NoiseInfo[];
  readonly noiseMask: readonly number[];
  readonly isolate: readonly number[];
  readonly seed: number;
  readonly traceBufferKb: number | null;
}

/** The machine the run happened on. */
export interface MachineInfo {
  readonly node: string;
  readonly cores: number;
  readonly kernel: string;
  readonly platform: string;
  readonly arch: string;
  readonly seed: number;
  /** Timer slack of the lab's threads in ns (Lab.timerSlack), null where it cannot be read. */
  readonly timerSlackNs: number | null;
}

/** How the run ended. */
export type RunEnd = 'duration' | 'sigint' | 'stop-tracing' | 'exception';

/** Everything a renderer may print. */
export interface TimerlatResult {
  readonly config: TimerlatConfig;
  readonly machine: MachineInfo;
  readonly startedAt: string;
  readonly elapsedS: number;
  readonly end: RunEnd;
  /** Ret-user columns are shown (-u / -U). */
  readonly userData: boolean;
  readonly cpus: readonly CpuResult[];
  readonly layout: HistogramLayout;
  readonly loss: readonly CpuLoss[];
  readonly stop: StopInfo | null;
  /** Noise sources that ran on the stopped CPU (auto-analysis fallback). */
  readonly noise: readonly NoiseInfo[];
}
