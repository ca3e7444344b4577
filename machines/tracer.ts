// The osnoise/timerlat tracer state (kernel/trace/trace_osnoise.c: timerlat_tracer_init/start/
// stop, osnoise_workload_start/stop, osnoise_stop_tracing, osnoise_stop_exception; trace.c:
// rb_simple_write). Runs in the control plane (src/lab), one actor per tracing instance; pure
// xstate v5, no I/O: the real effects are the stub actions, supplied with `.provide()`.
import { and, assign, not, setup } from 'xstate';

/** The sample that crossed a threshold: `irq` (stop_tracing_us) or the others (stop_tracing_total_us). */
export type TracerSampleContext = 'irq' | 'thread' | 'user-ret';

/** Files whose write restarts a running workload (osnoise_cpus_write, osnoise_options_write). */
export type TracerConfigFile = 'osnoise/cpus' | 'osnoise/options';

/** Why the buffer was turned off while the workload keeps running; kept for reporting. */
export type TracerStop =
  | {
      readonly kind: 'threshold';
      readonly cpu: number;
      readonly context: TracerSampleContext;
      readonly latencyNs: number;
      readonly thresholdUs: number;
    }
  | { readonly kind: 'exception'; readonly cpu: number; readonly taint: string };

/** Why the workload stops (`stopWorkload`): the caller SIGKILLs timerlat_fd holders on every one. */
export type TracerStopReason = 'tracer-changed' | 'tracing-off' | 'reconfigured';

/** What the control plane knows about the tracer. */
export interface TracerContext {
  /** The tracer whose workload runs (`timerlat`); null in `off`. */
  readonly tracer: string | null;
  /** The last stop of this session, kept through `tracer.restart` and `off` until the next start. */
  readonly stop: TracerStop | null;
  /** How many times this session stopped (threshold or exception). */
  readonly stops: number;
}

/**
 * Tracer lifecycle edges, as the tracefs writers and the CPU actors report them.
 *
 * - `tracer.start`: `current_tracer` set to a tracer with a workload, or `tracing_on` 0→1 while
 *   one is current and its workload is not running. `tracingOn` (default true) is the
 *   `tracing_on` value at that moment: the kernel starts the workload either way
 *   (timerlat_tracer_init), so with `tracingOn: false` the timers cycle into a buffer that is off.
 * - `tracer.stop`: `tracer-changed` (current_tracer written away) or `tracing-off` (`tracing_on`
 *   1→0). Setting `nop` is a `tracer-changed` stop; a change between two workload tracers is a
 *   stop followed by a start.
 * - `tracer.restart`: `tracing_on` 0→1 while the workload still runs (after a stop).
 * - `tracer.configure`: osnoise/cpus or osnoise/options written while the workload runs.
 * - `tracer.threshold_hit`: a sample crossed stop_tracing_us / stop_tracing_total_us.
 * - `tracer.exception`: osnoise_stop_exception, e.g. a timerlat user thread migrated.
 */
export type TracerEvent =
  | { readonly type: 'tracer.start'; readonly tracer: string; readonly tracingOn?: boolean }
  | { readonly type: 'tracer.stop'; readonly reason: 'tracer-changed' | 'tracing-off' }
  | { readonly type: 'tracer.restart' }
  | { readonly type: 'tracer.configure'; readonly file: TracerConfigFile }
  | {
      readonly type: 'tracer.threshold_hit';
      readonly cpu: number;
      readonly context: TracerSampleContext;
      readonly latencyNs: number;
      readonly thresholdUs: number;
    }
  | { readonly type: 'tracer.exception'; readonly cpu: number; readonly taint: string };

/** Parameters of `startWorkload` and `enableBuffer`. */
export interface TracerWorkloadParams {
  readonly tracer: string;
}

/** Parameters of `stopWorkload`. */
export interface TracerStopWorkloadParams {
  readonly tracer: string;
  readonly reason: TracerStopReason;
}

/** Parameters of `disableBuffer`. */
export interface TracerDisableBufferParams {
  readonly tracer: string;
  readonly reason: TracerStop['kind'] | 'tracing-off';
}

/** Parameters of `reportStop` ("stop tracing hit on cpu N [due to exception: …]"). */
export interface TracerReportStopParams {
  readonly tracer: string;
  readonly stop: TracerStop;
}

/** Build the stop record carried by a threshold or exception event. */
function stopOf(event: TracerEvent): TracerStop | null {
  if (event.type === 'tracer.threshold_hit') {
    const { cpu, context, latencyNs, thresholdUs } = event;
    return { kind: 'threshold', cpu, context, latencyNs, thresholdUs };
  }
  if (event.type === 'tracer.exception') {
    return { kind: 'exception', cpu: event.cpu, taint: event.taint };
  }
  return null;
}

const tracerOf = (context: TracerContext): string => context.tracer ?? '';

type Args = { readonly context: TracerContext; readonly event: TracerEvent };

// Stop-causes turn the buffer off and keep the workload: osnoise_stop_tracing() and
// osnoise_stop_exception() call only tracer_tracing_off(), never the tracer's stop().
const stopCause = {
  target: 'stopped',
  actions: [
    'recordStop',
    {
      type: 'disableBuffer',
      params: ({ context, event }: Args) => ({
        tracer: tracerOf(context),
        reason: event.type === 'tracer.exception' ? ('exception' as const) : ('threshold' as const),
      }),
    },
    {
      type: 'reportStop',
      params: ({ context, event }: Args) => ({ tracer: tracerOf(context), stop: stopOf(event)! }),
    },
  ],
} as const;

const startWorkload = {
  type: 'startWorkload',
  params: ({ context }: Args) => ({ tracer: tracerOf(context) }),
} as const;

const enableBuffer = {
  type: 'enableBuffer',
  params: ({ context }: Args) => ({ tracer: tracerOf(context) }),
} as const;

// A `tracer.stop` reports its own reason; `tracer.configure` is a `reconfigured` stop.
const stopWorkload = {
  type: 'stopWorkload',
  params: ({ context, event }: Args) => ({
    tracer: tracerOf(context),
    reason: event.type === 'tracer.stop' ? event.reason : ('reconfigured' as const),
  }),
} as const;

// osnoise_cpus_write / osnoise_options_write: stop_per_cpu_kthreads() then start_per_cpu_kthreads();
// the tracer stays registered and the buffer keeps its state, so no state change.
const configure = { actions: [stopWorkload, startWorkload] } as const;

/**
 * The tracer state: `off → running → stopped → off` (and `stopped → running` on restart).
 *
 * - `running`: the workload runs (timers cycle) and samples are recorded.
 * - `stopped`: a threshold or an exception turned the buffer off; the timers keep cycling, as
 *   in the kernel. `tracer.restart` turns the buffer back on without restarting the workload.
 * - `off`: no workload; `stopWorkload` is the caller's cue to SIGKILL every timerlat_fd holder.
 * - No state is final: the tracer can always be started again.
 *
 * @example
 * const provided = tracerMachine.provide({ actions: { stopWorkload: (_, p) => killHolders(p) } });
 * const tracer = createActor(provided).start();
 * tracer.send({ type: 'tracer.start', tracer: 'timerlat' });
 */
export const tracerMachine = setup({
  types: {
    context: {} as TracerContext,
    events: {} as TracerEvent,
  },
  actions: {
    // Effect stubs: no-ops here, supplied by src/lab with .provide().
    startWorkload: (_, _params: TracerWorkloadParams) => {},
    stopWorkload: (_, _params: TracerStopWorkloadParams) => {},
    enableBuffer: (_, _params: TracerWorkloadParams) => {},
    disableBuffer: (_, _params: TracerDisableBufferParams) => {},
    reportStop: (_, _params: TracerReportStopParams) => {},
    recordStart: assign({
      tracer: ({ event }) => (event.type === 'tracer.start' ? event.tracer : null),
      stop: null,
      stops: 0,
    }),
    clearTracer: assign({ tracer: null }),
    recordStop: assign({
      stop: ({ context, event }) => stopOf(event) ?? context.stop,
      stops: ({ context }) => context.stops + 1,
    }),
  },
  guards: {
    // `nop` has no workload: setting it is a `tracer.stop`, never a start.
    hasWorkload: ({ event }) => event.type === 'tracer.start' && event.tracer !== 'nop',
    startsWithTracingOff: ({ event }) => event.type === 'tracer.start' && event.tracingOn === false,
    // The kernel's test is time_to_us(diff) >= threshold, with 0 meaning "off".
    crossesThreshold: ({ event }) =>
      event.type === 'tracer.threshold_hit' &&
      event.thresholdUs > 0 &&
      Math.floor(event.latencyNs / 1000) >= event.thresholdUs,
    isTracingOff: ({ event }) => event.type === 'tracer.stop' && event.reason === 'tracing-off',
  },
}).createMachine({
  id: 'tracer',
  initial: 'off',
  context: { tracer: null, stop: null, stops: 0 },
  states: {
    off: {
      // Only a start leaves off; stops, restarts, config writes and stop causes mean nothing here.
      on: {
        'tracer.start': [
          {
            guard: and(['hasWorkload', 'startsWithTracingOff']),
            target: 'stopped',
            actions: ['recordStart', startWorkload],
          },
          {
            guard: 'hasWorkload',
            target: 'running',
            actions: ['recordStart', startWorkload, enableBuffer],
          },
        ],
      },
    },
    running: {
      // tracer.start (same tracer: a no-op write; another: stop first) and tracer.restart
      // (tracing_on already 1) are ignored.
      on: {
        'tracer.stop': [
          {
            // rb_simple_write: tracer_tracing_off(), then the tracer's stop() stops the workload.
            guard: 'isTracingOff',
            target: 'off',
            actions: [
              {
                type: 'disableBuffer',
                params: ({ context }: Args) => ({
                  tracer: tracerOf(context),
                  reason: 'tracing-off' as const,
                }),
              },
              stopWorkload,
              'clearTracer',
            ],
          },
          // tracing_set_tracer: the old tracer's reset() stops the workload; tracing_on is untouched.
          { target: 'off', actions: [stopWorkload, 'clearTracer'] },
        ],
        'tracer.threshold_hit': { guard: 'crossesThreshold', ...stopCause },
        'tracer.exception': stopCause,
        'tracer.configure': configure,
      },
    },
    stopped: {
      // Further stop causes are ignored: the buffer is already off, the kernel's second
      // "stop tracing hit" line goes nowhere. tracer.start is ignored as in running.
      on: {
        // tracing_on 0→1: tracer_tracing_on(); the tracer's start() finds the instance registered.
        'tracer.restart': { target: 'running', actions: [enableBuffer] },
        // Writing tracing_on=0 while the buffer is already off is a no-op in rb_simple_write, so
        // only a tracer change stops the workload from here.
        'tracer.stop': {
          guard: not('isTracingOff'),
          target: 'off',
          actions: [stopWorkload, 'clearTracer'],
        },
        'tracer.configure': configure,
      },
    },
  },
});
