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
