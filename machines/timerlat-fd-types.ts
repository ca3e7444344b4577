// The vocabulary of machines/timerlat-fd.ts: its context, input, events, the parameters of its stub
// actions and the taint strings. Types and constants only; imported wherever the machine is driven.

/** Taint written when the sched_migrate_task hook sees the holder leave (then a stop exception). */
export const TAINT_MIGRATED = 'timerlat user-thread migrated';
/** Taint written when read() runs on another CPU than the file's (then a plain stop). */
export const TAINT_READ_MIGRATE = 'timerlat user thread migrate';

/** Where a migration of the holder went. */
export interface TimerlatFdMigration {
  readonly from: number;
  readonly to: number;
}

/** What the control plane knows about one CPU's timerlat_fd. */
export interface TimerlatFdContext {
  /** The file's CPU. */
  readonly cpu: number;
  /** The task holding the file (osn_var->pid); null when closed. */
  readonly pid: number | null;
  /** The hrtimer is armed: from a read until it fires, also across a signal that ended the read. */
  readonly timerArmed: boolean;
  /** A migration seen while the read sleeps migrate-disabled; it lands when the read returns. */
  readonly pendingMigration: TimerlatFdMigration | null;
  /** The migration that killed the fd (uthread_migrate); null unless `migrated`. */
  readonly migration: TimerlatFdMigration | null;
  /** The error of the last read(): EINVAL once the fd is dead by migration; null after a good read. */
  readonly lastError: 'EINVAL' | null;
}

/** Machine input: the CPU whose file this is. */
export interface TimerlatFdInput {
  readonly cpu: number;
}

/**
 * Edges of the fd lifecycle.
 *
 * - `fd.open`: an open() that passed the caller's EINVAL/EBUSY/EPERM checks. `cpu` is the file's
 *   CPU; an open for another CPU's file is ignored.
 * - `fd.read`: read() entered. `cpu` is the CPU the reader runs on (default: the file's CPU);
 *   another CPU is the kernel's read-time migration check.
 * - `fd.timer_fired`: the timerlat hrtimer fired (the wake-up of a sleeping read).
 * - `fd.signal`: a signal interrupted the sleeping read: it returns 0 with no sample.
 * - `task.migrated`: the holder moved between CPUs (sched_migrate_task).
 * - `workload.stopped`: the tracer's workload stopped (stop_kthread): SIGKILL to the holder.
 * - `fd.close` / `task.exited`: the file is released (timerlat_fd_release).
 *
 * `pid` on task events, when given, must be the holder's, or the event is ignored.
 */
export type TimerlatFdEvent =
  | { readonly type: 'fd.open'; readonly pid: number; readonly cpu: number }
  | { readonly type: 'fd.read'; readonly cpu?: number }
  | { readonly type: 'fd.timer_fired' }
  | { readonly type: 'fd.signal' }
  | { readonly type: 'task.migrated'; readonly from: number; readonly to: number; readonly pid?: number }
  | { readonly type: 'workload.stopped' }
  | { readonly type: 'fd.close' }
  | { readonly type: 'task.exited'; readonly pid?: number };

/** Parameters of `cancelTimer` and `sendSigkill`. */
export interface TimerlatFdHolderParams {
  readonly cpu: number;
  readonly pid: number;
}

/** Parameters of `armTimer`: `first` re-bases the absolute period on now (the first read). */
export interface TimerlatFdArmParams extends TimerlatFdHolderParams {
  readonly first: boolean;
}

/** Parameters of `wakeReader`: why the sleeping read() returns. */
export interface TimerlatFdWakeParams extends TimerlatFdHolderParams {
  readonly reason: 'timer' | 'signal' | 'close';
}

/** Parameters of `taintMigrate`; the caller writes `taint` and sends `tracer.exception`. */
export interface TimerlatFdTaintParams extends TimerlatFdHolderParams {
  readonly from: number;
  readonly to: number;
  readonly detectedBy: 'sched-migrate' | 'read';
  readonly taint: string;
}
