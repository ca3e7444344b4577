// The public entry point of tracelab: explicit named exports only; types via `export type`.

// The lab: CPU actors, user tasks, tracefs, tracers.
export { Lab } from './lab/lab.js';
export type { LabOptions, LabEvents, TracefsApi, TracefsHandle, FiredTimer, TimerSlackState } from './lab/lab.js';
export { setThreadTimerSlack, threadTimerSlack } from './kernel/timer-slack.js';
export type { TimerSlackRequest } from './kernel/timer-slack.js';
export type { Task, SpawnOptions, ExitStatus, MigrateEvent } from './lab/tasks.js';
export type { CpuStats, CpuFault } from './lab/cpus.js';
export type { TaskContext, CloneOptions, JoinStatus, WaitStatus } from './task/ctx.js';
export type { SigInfo, SignalHandler } from './kernel/signal.js';
export type { TracingOptions, TracepipeApi } from './lab/tracing.js';
export { LabTimerlat } from './lab/timerlat.js';
export type { StopInfo, StopAnalysis, TimerlatCpuStats, TimerlatEvents, TimerlatState } from './lab/timerlat.js';
export type { LatencySummary, LatencySnapshot } from './tracers/latency-stats.js';
export type { IpiName } from './kernel/layout.js';
export type { TaskMain } from './task/runtime.js';
export type { SigprocmaskHow } from './task/signals-ctx.js';
export type { NoiseSpec } from './tracers/noise.js';
export { parseNoiseSpec, formatNoiseSpec } from './lab/noise-spec.js';

// Errors and the shared clock.
export { KernelError, isKernelError, errnoOf } from './errno.js';
export type { ErrnoName, KernelErrorInit } from './errno.js';
export { clockNs } from './shm/clock.js';
export type { WaitResult } from './shm/wait.js';
export type { SharedWasmMemory } from './shm/wasm.js';

// The per-CPU trace ring buffer, usable between your own workers.
export {
  RingBuffer,
  Reservation,
  EventView,
  formatLost,
  decodePage,
  RingFormatError,
  formatStats,
  MIN_SUBBUF,
  MAX_SUBBUF,
  registerEvent,
  eventFormat,
  formatEventLine,
  formatTs,
  encodePrint,
  EVENT_PRINT,
  EVENT_TIMERLAT_SAMPLE,
  EVENT_TRACEPIPE,
  TracePipeReader,
  tracePipeReadable,
  rawPipeReadable,
  TracepipeWriter,
  readTraceFile,
  writeTraceFile,
  formatTraceFile,
  TraceFileError,
} from './ringbuf/index.js';
export type {
  RingHandle,
  RingAttachOptions,
  RingWhich,
  ReservationRef,
  TraceRecord,
  LostReason,
  RawPage,
  ConsumePageOptions,
  DecodedPage,
  DecodedRecord,
  RingCpuStats,
  RepairReport,
  WaitForDataOptions,
  RingCreateOptions,
  RingMode,
  RingParams,
  EventFormat,
  TracePipeOptions,
  RawPipeOptions,
  TracepipeHandle,
  TraceFileHeader,
  TraceFileChunk,
  SnapshotEvent,
} from './ringbuf/index.js';

// perf events with synchronous SIGTRAP: constants and types for ctx.perf_event_open / ctx.ioctl / ctx.mem.
export {
  PERF_TYPE, PERF_COUNT_SW, HW_BREAKPOINT, PERF_EVENT_IOC, PERF_IOC_FLAG_GROUP, PERF_FLAG, PERF_ATTR_SIZE,
  TRAP_PERF, TRAP_PERF_FLAG_ASYNC, checkAttr,
} from './perf/index.js';
export type { PerfEventAttr, PerfFd, U64 } from './perf/index.js';
export { LabPerf } from './lab/perf.js';
export type { PerfStart, PerfSwCounter, LabPerfOptions } from './lab/perf.js';
export type { TaskMem } from './task/mem.js';

// User interrupts between your own workers (UPID/PIR doorbells, no Lab needed).
export { UintrTable, UintrReceiver, UintrSender, UintrFault } from './uintr/table.js';
export type { UintrTableHandle, UintrTableOptions, UintrReceiverWaitOptions } from './uintr/table.js';
export type { UintrFd, UintrHandler, UintrWaitResult, UintrSignal, Vector } from './uintr/fd.js';
export { LabUintr } from './lab/uintr.js';
export type { LabUintrOptions, UintrSenderReply } from './lab/uintr.js';
export type { TaskUintrWaitResult } from './task/uintr-ctx.js';
