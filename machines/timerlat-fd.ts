// The lifecycle of one osnoise/per_cpu/cpuN/timerlat_fd (kernel/trace/trace_osnoise.c:
// timerlat_fd_open/read/release, trace_sched_migrate_callback, stop_kthread). Runs in the control
// plane (src/lab), one actor per CPU, fed by the task actor's syscalls and the kill path. Pure
// xstate v5, no I/O: effects are stub actions supplied with `.provide()`. Samples are taken by
// the hot path (src/tracers), never here. A caller that keeps the read/timer cycle out of xstate
// may skip fd.read/fd.timer_fired/fd.signal: open, migration, kill and release work from `opened`.
import { and, assign, setup } from 'xstate';

import type {
  TimerlatFdArmParams, TimerlatFdContext, TimerlatFdEvent, TimerlatFdHolderParams, TimerlatFdInput, TimerlatFdMigration,
  TimerlatFdTaintParams, TimerlatFdWakeParams,
} from './timerlat-fd-types.js';
import { TAINT_MIGRATED, TAINT_READ_MIGRATE } from './timerlat-fd-types.js';

export * from './timerlat-fd-types.js';

type Args = { readonly context: TimerlatFdContext; readonly event: TimerlatFdEvent };

const holder = ({ context }: Args): TimerlatFdHolderParams => ({
  cpu: context.cpu,
  pid: context.pid ?? 0,
});

/** The migration an event reveals: a task.migrated, or a read from another CPU. */
function migrationOf({ context, event }: Args): TimerlatFdMigration | null {
  if (event.type === 'task.migrated') return { from: event.from, to: event.to };
  if (event.type === 'fd.read' && event.cpu !== undefined) return { from: context.cpu, to: event.cpu };
  return null;
}

const arm = (first: boolean) =>
  ({ type: 'armTimer', params: (args: Args) => ({ ...holder(args), first }) }) as const;

const wake = (reason: TimerlatFdWakeParams['reason']) =>
  ({ type: 'wakeReader', params: (args: Args) => ({ ...holder(args), reason }) }) as const;

// Taint with the migration the event reveals (hook or read) or, when a deferred one lands as the
// read returns, with the one recorded.
const taint = {
  type: 'taintMigrate',
  params: (args: Args) => {
    const { context } = args;
    const m = migrationOf(args) ?? context.pendingMigration ?? context.migration;
    const byRead = args.event.type === 'fd.read';
    return {
      ...holder(args),
      from: m?.from ?? context.cpu,
      to: m?.to ?? context.cpu,
      detectedBy: byRead ? ('read' as const) : ('sched-migrate' as const),
      taint: byRead ? TAINT_READ_MIGRATE : TAINT_MIGRATED,
    };
  },
} as const;

// uthread_migrate = 1: taint, stop tracing; a read that found it returns EINVAL.
const dieByHook = { target: 'migrated', actions: ['recordMigration', taint] } as const;
const dieByRead = { target: 'migrated', actions: ['recordMigration', taint, 'failEinval'] } as const;

// timerlat_fd_release: cancel the timer, zero the per-CPU state, free the CPU for a new open.
const release = {
  target: 'closed',
  actions: [{ type: 'cancelTimer', params: holder }, 'resetFd'],
} as const;
const releaseOnExit = { guard: 'isHolder', ...release } as const;

// stop_kthread: the holder is a user thread, so kill_pid(SIGKILL). The file stays held (pid
// set, EBUSY to others) until the dying task's files are released.
const kill = { target: 'killed', actions: [{ type: 'sendSigkill', params: holder }] } as const;

/**
 * One CPU's timerlat_fd: `closed → opened → waiting ⇄ in-user → … → closed`, plus
 * `migrated` (dead: every read is EINVAL) and `killed` (SIGKILLed, waiting for the release).
 *
 * - `opened`: held, no read yet. The first read arms the timer (`armTimer` with `first`).
 * - `waiting`: read() sleeps until `fd.timer_fired` (→ in-user) or `fd.signal` (→ in-user with
 *   the timer still armed, as the kernel leaves it).
 * - `in-user`: read() returned. The next read records user-ret and sleeps again; a read while
 *   the timer is still armed (after a signal) returns at once with no sample.
 * - Migration away from the file's CPU, seen by the hook or by a read on another CPU, kills
 *   the fd but not the task. While a read sleeps the task is migrate-disabled, so a migration
 *   reported then lands when the read returns.
 * - No state is final: every one is released back to `closed`, and the CPU can be opened again.
 *
 * After sending `fd.read`, the caller answers the read from the new snapshot: `waiting` → sleep;
 * `in-user` → return 0; `lastError === 'EINVAL'` → fail with EINVAL.
 */
export const timerlatFdMachine = setup({
  types: {
    context: {} as TimerlatFdContext,
    events: {} as TimerlatFdEvent,
    input: {} as TimerlatFdInput,
  },
  actions: {
    // Effect stubs: no-ops here, supplied by src/lab with .provide().
    armTimer: (_, _params: TimerlatFdArmParams) => {},
    cancelTimer: (_, _params: TimerlatFdHolderParams) => {},
    recordUserRet: (_, _params: TimerlatFdHolderParams) => {},
    sendSigkill: (_, _params: TimerlatFdHolderParams) => {},
    taintMigrate: (_, _params: TimerlatFdTaintParams) => {},
    wakeReader: (_, _params: TimerlatFdWakeParams) => {},
    recordHolder: assign({ pid: ({ event }) => (event.type === 'fd.open' ? event.pid : null) }),
    markArmed: assign({ timerArmed: true }),
    markFired: assign({ timerArmed: false }),
    clearError: assign({ lastError: null }),
    failEinval: assign({ lastError: 'EINVAL' as const }),
    deferMigration: assign({ pendingMigration: (args) => migrationOf(args) }),
    recordMigration: assign({
      migration: (args) => args.context.migration ?? migrationOf(args) ?? args.context.pendingMigration,
      pendingMigration: null,
    }),
    resetFd: assign({
      pid: null,
      timerArmed: false,
      pendingMigration: null,
      migration: null,
      lastError: null,
    }),
  },
  guards: {
    // Routing sanity, not an open() check: the caller has already answered EINVAL/EBUSY/EPERM.
    isForThisCpu: ({ context, event }) => event.type === 'fd.open' && event.cpu === context.cpu,
    isHolder: ({ context, event }) =>
      (event.type !== 'task.migrated' && event.type !== 'task.exited') ||
      event.pid === undefined ||
      event.pid === context.pid,
    // trace_sched_migrate_callback: task_cpu(p) is the file's CPU and dest_cpu is another.
    leavesThisCpu: ({ context, event }) =>
      event.type === 'task.migrated' && event.from === context.cpu && event.to !== context.cpu,
    // timerlat_fd_read: cpu != smp_processor_id().
    readsOnOtherCpu: ({ context, event }) =>
      event.type === 'fd.read' && event.cpu !== undefined && event.cpu !== context.cpu,
    timerArmed: ({ context }) => context.timerArmed,
    migrationPending: ({ context }) => context.pendingMigration !== null,
  },
}).createMachine({
  id: 'timerlatFd',
  initial: 'closed',
  context: ({ input }) => ({
    cpu: input.cpu,
    pid: null,
    timerArmed: false,
    pendingMigration: null,
    migration: null,
    lastError: null,
  }),
  states: {
    closed: {
      // No holder: reads (EBADF), kills and migrations are the caller's business, not the file's.
      on: {
        'fd.open': { guard: 'isForThisCpu', target: 'opened', actions: 'recordHolder' },
      },
    },
    opened: {
      on: {
        'fd.read': [
          { guard: 'readsOnOtherCpu', ...dieByRead },
          { target: 'waiting', actions: ['clearError', arm(true), 'markArmed'] },
        ],
        'task.migrated': { guard: and(['isHolder', 'leavesThisCpu']), ...dieByHook },
        'workload.stopped': kill,
        'fd.close': release,
        'task.exited': releaseOnExit,
      },
    },
    waiting: {
      // A second read of the same fd while one sleeps is ignored.
      on: {
        'fd.timer_fired': [
          {
            guard: 'migrationPending',
            target: 'migrated',
            actions: ['markFired', wake('timer'), 'recordMigration', taint],
          },
          { target: 'in-user', actions: ['markFired', wake('timer')] },
        ],
        // wait_next_period() slept TASK_INTERRUPTIBLE; the read returns 0, the timer stays armed.
        'fd.signal': [
          {
            guard: 'migrationPending',
            target: 'migrated',
            actions: [wake('signal'), 'recordMigration', taint],
          },
          { target: 'in-user', actions: [wake('signal')] },
        ],
        'task.migrated': { guard: and(['isHolder', 'leavesThisCpu']), actions: 'deferMigration' },
        'workload.stopped': kill,
        // Nothing would wake the reader once its timer is cancelled, so close wakes it.
        'fd.close': { ...release, actions: [wake('close'), ...release.actions] },
        'task.exited': releaseOnExit,
      },
    },
    'in-user': {
      on: {
        'fd.read': [
          { guard: 'readsOnOtherCpu', ...dieByRead },
          // A signal ended the last read before its timer fired: diff < 0, return at once.
          { guard: 'timerArmed', actions: 'clearError' },
          {
            target: 'waiting',
            actions: ['clearError', { type: 'recordUserRet', params: holder }, arm(false), 'markArmed'],
          },
        ],
        // The timer left armed by a signal fires while the task runs in user space.
        'fd.timer_fired': { guard: 'timerArmed', actions: 'markFired' },
        'task.migrated': { guard: and(['isHolder', 'leavesThisCpu']), ...dieByHook },
        'workload.stopped': kill,
        'fd.close': release,
        'task.exited': releaseOnExit,
      },
    },
    migrated: {
      // uthread_migrate stays set until release; the task lives on.
      on: {
        'fd.read': [
          // The kernel taints and stops tracing again on every read from another CPU.
          { guard: 'readsOnOtherCpu', actions: [taint, 'failEinval'] },
          { actions: 'failEinval' },
        ],
        'fd.timer_fired': { guard: 'timerArmed', actions: 'markFired' },
        // Back on the file's CPU and away again: the hook fires again.
        'task.migrated': { guard: and(['isHolder', 'leavesThisCpu']), actions: taint },
        'workload.stopped': kill,
        'fd.close': release,
        'task.exited': releaseOnExit,
      },
    },
    killed: {
      // The task is dying: only the release of its files is left. A second stop finds no
      // kthread to kill; open() meanwhile gets EBUSY from the caller (the pid is still set).
      on: {
        'fd.close': release,
        'task.exited': releaseOnExit,
      },
    },
  },
});
