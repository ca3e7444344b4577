// The xstate v5 machines of tracelab, one per lifecycle; pure (no I/O, no timers).
// Used by the control plane (src/lab) and the actors; effects arrive through .provide().
export { taskMachine } from './task.js';
export type {
  TaskContext,
  TaskEvent,
  TaskExit,
  TaskExitParams,
  TaskInput,
} from './task.js';
export { tracerMachine } from './tracer.js';
export type {
  TracerConfigFile,
  TracerContext,
  TracerDisableBufferParams,
  TracerEvent,
  TracerReportStopParams,
  TracerSampleContext,
  TracerStop,
  TracerStopReason,
  TracerStopWorkloadParams,
  TracerWorkloadParams,
} from './tracer.js';
export { TAINT_MIGRATED, TAINT_READ_MIGRATE, timerlatFdMachine } from './timerlat-fd.js';
export type {
  TimerlatFdArmParams,
  TimerlatFdContext,
  TimerlatFdEvent,
  TimerlatFdHolderParams,
  TimerlatFdInput,
  TimerlatFdMigration,
  TimerlatFdTaintParams,
  TimerlatFdWakeParams,
} from './timerlat-fd.js';
export { uintrReceiverMachine } from './uintr-receiver.js';
export type {
  UintrReceiverContext,
  UintrReceiverEvent,
  UintrReceiverInput,
  UintrReceiverReleaseParams,
} from './uintr-receiver.js';
