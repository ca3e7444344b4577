// The control plane's side of the shared process table (kernel/pid.c alloc_pid, copy_process,
// release_task, reduced): pid allocation with the pid_max wrap, filling and publishing a new task's
// slot, freeing it at exit, its scheduler state, and the checked affinity masks written into it.
// Control plane only: it is the single writer of every slot word it stores here.
import { kerr } from '../errno.js';
import { TASK, TASK_STRIDE_I32, TaskState, writeAffinity, writeComm, type TaskShm } from '../kernel/task-layout.js';

const FIRST_PID = 1000;

/** Hands out pids from FIRST_PID up, wrapping at pid_max; a pid's slot is `pid % maxTasks`. */
export class PidAllocator {
  readonly #t: TaskShm;
  #nextPid = FIRST_PID;

  constructor(t: TaskShm) {
    this.#t = t;
  }

  /** The next pid whose slot is free and that no live task holds. EAGAIN when every slot is in use. */
  alloc(isLive: (pid: number) => boolean): { pid: number; slot: number } {
    const max = this.#t.maxTasks;
    for (let tries = 0; tries < max; tries++) {
      const pid = this.#nextPid++;
      if (this.#nextPid > 4_194_304) this.#nextPid = FIRST_PID; // pid_max
      const slot = pid % max;
      if (Atomics.load(this.#t.i32, this.#t.slotBase(slot) + TASK.PID) === 0 && !isLive(pid)) return { pid, slot };
    }
    throw kerr('EAGAIN', 'clone', undefined, `all ${max} task slots are in use (raise maxTasks)`);
  }
}

/** What a new task's slot starts with. */
export interface SlotInit {
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  readonly affinity: readonly number[];
  readonly cpu: number;
}

/** Fill a free slot and publish it: PID is stored last, so a reader that sees it sees the rest. */
export function publishSlot(t: TaskShm, slot: number, init: SlotInit): void {
  const s = t.slotBase(slot);
  const i32 = t.i32;
  for (let w = 0; w < TASK_STRIDE_I32; w++) Atomics.store(i32, s + w, 0); // single writer: the slot is free
  writeComm(t, slot, init.comm);
  writeAffinity(t, slot, init.affinity);
  Atomics.store(i32, s + TASK.CPU, init.cpu);
  Atomics.store(i32, s + TASK.TGID, init.tgid);
  Atomics.store(i32, s + TASK.STATE, TaskState.CREATED);
  Atomics.store(i32, s + TASK.PID, init.pid); // publish: the slot is valid from here on
}

/** Mark an ended task's slot KILLED or EXITED and free it. */
export function releaseSlot(t: TaskShm, slot: number, killed: boolean): void {
  const s = t.slotBase(slot);
  Atomics.store(t.i32, s + TASK.STATE, killed ? TaskState.KILLED : TaskState.EXITED);
  Atomics.store(t.i32, s + TASK.PID, 0); // publish: the slot is free; kill() now gets ESRCH
}

/** Scheduler state of a live task's slot: 'blocked' while it sleeps in a syscall. */
export function schedStateOf(t: TaskShm, slot: number): 'created' | 'running' | 'blocked' | 'gone' {
  const st = Atomics.load(t.i32, t.slotBase(slot) + TASK.STATE); // acquire
  return st === TaskState.BLOCKED ? 'blocked' : st === TaskState.CREATED ? 'created' : st === TaskState.RUNNING ? 'running' : 'gone';
}

/** Check a cpu set against the lab's `n` CPUs; returns it sorted without duplicates. */
export function checkCpus(cpus: readonly number[], n: number, syscall: string): number[] {
  if (!Array.isArray(cpus) || cpus.length === 0) throw kerr('EINVAL', syscall, undefined, `the cpu set is empty; give cpus in 0..${n - 1}`);
  for (const c of cpus) {
    if (!Number.isInteger(c) || c < 0 || c >= n) throw kerr('EINVAL', syscall, undefined, `cpu ${String(c)} does not exist; this lab has cpus 0..${n - 1}`);
  }
  return [...new Set(cpus)].sort((a, b) => a - b);
}

/** The mask of every CPU, 0..n-1. */
export function allCpus(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
