// A user task's lifecycle, as the control plane sees it (kernel: fork → wake_up_new_task →
// schedule ⇄ sleep in a syscall → do_exit, or do_group_exit on a fatal signal / SIGKILL).
// Runs in the control plane (src/lab); pure xstate v5, no I/O: the real effects are the
// stub actions below, which the caller supplies with `.provide()`.
import { assign, setup } from 'xstate';

/** How a task ended: `exit(code)`, or death by a fatal signal (SIGKILL included). */
export type TaskExit = { readonly code: number } | { readonly signal: string };

/** What the control plane knows about one task. */
export interface TaskContext {
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  /** Set once the task reaches `exited` or `killed`; null before. */
  readonly exit: TaskExit | null;
  /** The syscall the task sleeps in while `blocked` (e.g. `nanosleep`); null otherwise. */
  readonly syscall: string | null;
}

/** Spawn parameters. `tgid` defaults to `pid` (a new thread group leader). */
export interface TaskInput {
  readonly pid: number;
  readonly tgid?: number;
  readonly comm: string;
}

/** Lifecycle edges reported by the task actor and the kill path. */
export type TaskEvent =
  | { readonly type: 'task.started' }
  | { readonly type: 'task.blocked'; readonly syscall: string }
  | { readonly type: 'task.woke' }
  | { readonly type: 'task.exited'; readonly code: number }
  | { readonly type: 'task.signalled'; readonly signal: string }
  | { readonly type: 'task.killed' };

/** Parameters of the effect stubs that report a final state. */
export interface TaskExitParams {
  readonly pid: number;
  readonly exit: TaskExit;
}

// SIGKILL and fatal signals, spread into each live state rather than put on the root: a root
// handler would still fire in a final child state, and a final state must accept nothing.
const fatal = {
  'task.killed': { target: 'killed' },
  'task.signalled': [
    { guard: 'isSigkill', target: 'killed' },
    { target: 'exited', actions: 'recordExitSignal' },
  ],
} as const;

/**
 * The task lifecycle: `created → running ⇄ blocked → exited | killed`.
 *
 * - `task.signalled` is a fatal signal the task did not handle; SIGKILL sent this way counts as
 *   `task.killed`, so the kill path needs no special case.
 * - `task.killed` (SIGKILL) ends the task from any non-final state.
 * - Effect stubs (`notifyRunning`, `notifyBlocked`, `notifyExited`, `notifyKilled`) do nothing
 *   until the control plane provides them.
 *
 * @example
 * const actor = createActor(taskMachine.provide({ actions: { notifyExited: (_, p) => report(p) } }),
 *   { input: { pid: 7, comm: 'worker' } }).start();
 * actor.send({ type: 'task.started' });
 */
export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    events: {} as TaskEvent,
    input: {} as TaskInput,
  },
  actions: {
    // Effect stubs: no-ops here, supplied by src/lab with .provide().
    notifyRunning: (_, _params: { pid: number }) => {},
    notifyBlocked: (_, _params: { pid: number; syscall: string }) => {},
    notifyExited: (_, _params: TaskExitParams) => {},
    notifyKilled: (_, _params: TaskExitParams) => {},
    recordSyscall: assign({
      syscall: ({ event }) => (event.type === 'task.blocked' ? event.syscall : null),
    }),
    clearSyscall: assign({ syscall: null }),
    recordExitCode: assign({
      exit: ({ event }) => (event.type === 'task.exited' ? { code: event.code } : null),
    }),
    recordExitSignal: assign({
      exit: ({ event }) => (event.type === 'task.signalled' ? { signal: event.signal } : null),
    }),
    recordSigkill: assign({ exit: { signal: 'SIGKILL' } }),
  },
  guards: {
    isSigkill: ({ event }) => event.type === 'task.signalled' && event.signal === 'SIGKILL',
  },
}).createMachine({
  id: 'task',
  initial: 'created',
  context: ({ input }) => ({
    pid: input.pid,
    tgid: input.tgid ?? input.pid,
    comm: input.comm,
    exit: null,
    syscall: null,
  }),
  states: {
    created: {
      on: {
        'task.started': { target: 'running' },
        ...fatal,
      },
    },
    running: {
      entry: [{ type: 'notifyRunning', params: ({ context }) => ({ pid: context.pid }) }],
      on: {
        'task.blocked': { target: 'blocked', actions: 'recordSyscall' },
        'task.exited': { target: 'exited', actions: 'recordExitCode' },
        ...fatal,
      },
    },
    blocked: {
      entry: [
        {
          type: 'notifyBlocked',
          params: ({ context }) => ({ pid: context.pid, syscall: context.syscall ?? '' }),
        },
      ],
      // A syscall ends by waking, by a fatal signal, or by SIGKILL.
      exit: 'clearSyscall',
      on: {
        'task.woke': { target: 'running' },
        ...fatal,
      },
    },
    exited: {
      type: 'final',
      entry: [
        {
          type: 'notifyExited',
          params: ({ context }) => ({ pid: context.pid, exit: context.exit ?? { code: 0 } }),
        },
      ],
    },
    killed: {
      type: 'final',
      entry: [
        'recordSigkill',
        {
          type: 'notifyKilled',
          params: ({ context }) => ({ pid: context.pid, exit: context.exit ?? { signal: 'SIGKILL' } }),
        },
      ],
    },
  },
});
