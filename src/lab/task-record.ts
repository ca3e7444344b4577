// The process manager's record of a user task, and the public task types (Task, SpawnOptions,
// MigrateEvent, ExitStatus). Control plane (main thread) only; shared by tasks.ts and task-syscalls.ts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { Actor } from 'xstate';
import { kerr } from '../errno.js';
import type { taskMachine, TaskExit as ExitStatus } from '../../machines/task.js';
import type { OpenFile } from '../tracefs/tree.js';
import type { ThreadGroup } from './thread-group.js';

export type { ExitStatus };

/** Options of `lab.spawn()`. */
export interface SpawnOptions {
  /** Allowed CPUs. @default every CPU of the lab */
  readonly affinity?: readonly number[];
  /** Argument passed to `main(ctx, arg)`; must be structured-clonable. @default undefined */
  readonly arg?: unknown;
  /** Task name (TASK_COMM_LEN 16, truncated). @default the module's file name */
  readonly comm?: string;
}

/** A migration, as the sched_migrate_task tracepoint reports it. */
export interface MigrateEvent {
  readonly pid: number;
  readonly comm: string;
  readonly origCpu: number;
  readonly destCpu: number;
}

/** A running or finished user task. */
export interface Task {
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  /**
   * Resolves with `{ code }` or `{ signal }` when the task ends; for a thread-group leader, when the whole
   * group has ended, with the process's status (the exit_group code or fatal signal). Never rejects.
   */
  readonly exited: Promise<ExitStatus>;
  /** The thrown error's stack when the program crashed (exit code 1). */
  readonly error: string | undefined;
  /** Current lifecycle state. */
  readonly state: 'created' | 'running' | 'blocked' | 'exited' | 'killed';
}

/** What the control plane keeps per task (not exported from the package). */
export interface TaskRecord extends Task {
  slot: number;
  moduleUrl: string;
  error: string | undefined;
  actor: Actor<typeof taskMachine>;
  abort: AbortController;
  port: MessagePort;
  fds: Map<number, OpenFile>;
  /** Resolves when this task itself ends (pthread_join waits on it); the leader's `exited` waits for its group. */
  threadExited: Promise<ExitStatus>;
  resolveExit: (s: ExitStatus) => void;
  /** Its thread group (shared by CLONE_THREAD members). */
  group: ThreadGroup;
  settled: boolean;
  /** Thread-group id of the process that may wait4() for this one: the forking process; 0 = the lab (spawn, or reparented when that process ended). */
  parentTgid: number;
  /** Reaped by wait4(), or joined by pthread_join(): its status was handed out once already. */
  reaped: boolean;
  /** Control-plane calls being served, by seq: aborted by the task's 'rpc.cancel' or its end. */
  inflight: Map<number, AbortController>;
}

/** ENOENT when a file: module does not exist (spawn, clone and exec check before starting anything). */
export function checkModule(url: string): void {
  if (!url.startsWith('file:')) return; // data: and other schemes are resolved by the loader
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw kerr('ENOENT', 'execve', path, 'no such module');
}

/** The default comm of a module: its file name without the extension, TASK_COMM_LEN − 1 characters. */
export function commOf(url: string): string {
  const base = url.split('/').pop() ?? 'task';
  return base.replace(/\.[cm]?[jt]s$/, '').slice(0, 15);
}
