// The process table in shared memory: one 512-byte slot per user task (pid, tgid, state, current
// CPU, wake word, signals, syscall mailbox, comm, affinity mask). The control plane allocates
// slots; the task's own worker, the CPU actors and other tasks read and signal through it.
import { defineLayout, type Views } from '../shm/layout.js';
import { MAX_CPUS } from './layout.js';

/** Int32 words per task slot (512 bytes). */
export const TASK_STRIDE_I32 = 128;
/** Affinity words per slot: MAX_CPUS bits. */
export const AFFINITY_WORDS = MAX_CPUS / 32;
/** Bytes of comm, as the kernel's TASK_COMM_LEN. */
export const TASK_COMM_LEN = 16;

/*
 * One task slot, at i32 index slotBase(slot):
 *
 * | i32 off | type | written by                     | read by              | meaning                                        |
 * |--------:|------|--------------------------------|----------------------|------------------------------------------------|
 * |  0      | i32  | control plane                  | any                  | pid; 0 = free slot                             |
 * |  1      | i32  | control plane                  | any                  | tgid (thread-group / process id)               |
 * |  2      | i32  | task (running/blocked), control plane (created/exited/killed) | any | TaskState             |
 * |  3      | i32  | control plane (migration)      | task, tracers        | current CPU                                    |
 * |  4      | i32  | any (Atomics.add)              | task                 | wake sequence: the task sleeps on this word    |
 * |  5      | i32  | any (Atomics.or), task (and)   | task                 | pending signals, bit (sig-1)                   |
 * |  6      | i32  | task                           | senders (stale-ok)   | blocked signals mask                           |
 * |  7      | i32  | control plane (Atomics.or)     | task                 | flags: KILLED, SHUTDOWN (cancel bits of waits) |
 * |  8      | i32  | task                           | CPU actor            | syscall number in the CPU mailbox              |
 * |  9      | i32  | CPU actor (Atomics.add)        | task                 | syscall done sequence                          |
 * | 10      | i32  | CPU actor                      | task                 | syscall return value (negative errno on error) |
 * | 11..15  | i32  | task                           | CPU actor            | syscall arguments                              |
 * | 16      | i32  | control plane                  | task                 | migrations so far                              |
 * | 17      | i32  | control plane (Atomics.add)    | task                 | control-plane reply sequence (RPC done)        |
 * | 18      | i32  | task                           | CPU actor            | syscall request id (echoed on completion)      |
 * | 19      | i32  | CPU actor                      | task                 | id of the last completed syscall               |
 * | 20..23  | —    | —                              | —                    | reserved                                       |
 * | 24..27  | u8×16| control plane                  | any                  | comm, NUL padded                               |
 * | 28..31  | —    | —                              | —                    | reserved                                       |
 * | 32..63  | i32×32 | control plane                | any                  | affinity mask, bit c = CPU c allowed           |
 * | 64..94  | i32×31 | sender (CAS 0→tgid), task (exchange→0) | task         | si_pid of pending signal n at 64+n-1; 0 = none |
 * | 95..127 | —    | —                              | —                    | reserved                                       |
 */
export const TASK = {
  PID: 0,
  TGID: 1,
  STATE: 2,
  CPU: 3,
  WAKE: 4,
  SIGPENDING: 5,
  SIGBLOCKED: 6,
  FLAGS: 7,
  SYS_NR: 8,
  SYS_DONE: 9,
  SYS_RET: 10,
  SYS_ARGS: 11,
  MIGRATIONS: 16,
  RPC_DONE: 17,
  SYS_ID: 18,
  SYS_DONE_ID: 19,
  COMM: 24,
  AFFINITY: 32,
  SIGPID: 64,
} as const;

/** Task states in the STATE word (mirrors machines/task.ts). */
export const TaskState = { FREE: 0, CREATED: 1, RUNNING: 2, BLOCKED: 3, EXITED: 4, KILLED: 5 } as const;
export type TaskStateValue = (typeof TaskState)[keyof typeof TaskState];

/** FLAGS bits. Both cancel every wait of the task. */
export const TaskFlag = { KILLED: 1 << 0, SHUTDOWN: 1 << 1 } as const;
export const TASK_CANCEL_MASK = TaskFlag.KILLED | TaskFlag.SHUTDOWN;

/** The process-table region for `maxTasks` slots. */
export function taskLayout(maxTasks: number) {
  return defineLayout('tasks', 0x5441534b /* 'TASK' */, 1, {
    params: { kind: 'i32', count: 2 }, // [maxTasks, 0]
    slots: { kind: 'i32', count: maxTasks * TASK_STRIDE_I32 },
  });
}

/** Attached process table. */
export interface TaskShm {
  readonly views: Views;
  readonly i32: Int32Array;
  readonly maxTasks: number;
  /** i32 index of slot `slot`. */
  slotBase(slot: number): number;
}

/** i32 index of the first slot: the same in every region (the header and params come first). */
const SLOTS_INDEX = taskLayout(1).index.slots;

// One function for every region (not a closure per region): a call site then sees a single target,
// so the CPU actor's timerlat rehearsal on a private table (actors/cpu.ts) leaves code that stays
// valid for the real one (a closure per region deoptimised #irq and fdRead: "wrong call target").
function slotBase(slot: number): number {
  return SLOTS_INDEX + slot * TASK_STRIDE_I32;
}

function wrap(views: Views, maxTasks: number): TaskShm {
  if (taskLayout(maxTasks).index.slots !== SLOTS_INDEX) throw new Error('tasks layout: slots must follow the params');
  return { views, i32: views.i32, maxTasks, slotBase };
}

/** Allocate the process table (control plane). */
export function allocateTasks(maxTasks: number): TaskShm {
  const L = taskLayout(maxTasks);
  const views = L.allocate();
  views.i32[L.index.params] = maxTasks;
  return wrap(views, maxTasks);
}

/** Attach the process table in any thread. */
export function attachTasks(sab: SharedArrayBuffer): TaskShm {
  const maxTasks = new Int32Array(sab, 0, 3)[2]!;
  return wrap(taskLayout(maxTasks).attach(sab), maxTasks);
}

/** Write comm (truncated to 15 bytes + NUL, as the kernel does). Control plane. */
export function writeComm(t: TaskShm, slot: number, comm: string): void {
  const bytes = new Uint8Array(t.views.sab, (t.slotBase(slot) + TASK.COMM) * 4, TASK_COMM_LEN);
  bytes.fill(0);
  const enc = new TextEncoder().encode(comm).subarray(0, TASK_COMM_LEN - 1);
  bytes.set(enc);
}

/** Read comm. */
export function readComm(t: TaskShm, slot: number): string {
  const bytes = new Uint8Array(t.views.sab, (t.slotBase(slot) + TASK.COMM) * 4, TASK_COMM_LEN);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.slice(0, end < 0 ? TASK_COMM_LEN : end));
}

/** Replace a slot's affinity mask with `cpus`. Control plane. */
export function writeAffinity(t: TaskShm, slot: number, cpus: readonly number[]): void {
  const at = t.slotBase(slot) + TASK.AFFINITY;
  for (let w = 0; w < AFFINITY_WORDS; w++) Atomics.store(t.i32, at + w, 0); // single writer (control plane)
  for (const c of cpus) Atomics.or(t.i32, at + (c >> 5), 1 << (c & 31)); // publish: readers load word by word
}

/** The CPUs in a slot's affinity mask, ascending. */
export function readAffinity(t: TaskShm, slot: number): number[] {
  const at = t.slotBase(slot) + TASK.AFFINITY;
  const out: number[] = [];
  for (let w = 0; w < AFFINITY_WORDS; w++) {
    let bits = Atomics.load(t.i32, at + w); // acquire (stale-ok across words during a change)
    while (bits !== 0) {
      const b = 31 - Math.clz32(bits & -bits);
      out.push(w * 32 + b);
      bits &= bits - 1;
    }
  }
  return out;
}

/** Slot of a pid: pids are allocated so that pid % maxTasks is their slot. */
export function slotOfPid(t: TaskShm, pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const slot = pid % t.maxTasks;
  return Atomics.load(t.i32, t.slotBase(slot) + TASK.PID) === pid ? slot : undefined; // acquire
}
