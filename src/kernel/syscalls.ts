// The CPU-side syscall entry (arch/x86/entry: do_syscall_64, reduced). A task on this CPU writes
// its syscall number, arguments and a request id into its slot, sets its bit in this CPU's syscall
// bitmap and rings Ipi.SYSCALL; the CPU actor runs the call and publishes the return, now or later
// (a handler may defer, as timerlat_fd's read does until the timer fires).
// Runs inside the CPU actor. Ordering: task stores args and id, then Atomics.or of its bit (publish);
// the CPU exchanges the bitmap word (acquire), runs, stores SYS_RET then SYS_DONE_ID, then kicks
// SYS_DONE and the task's WAKE word (publish).
import { kick } from '../shm/wait.js';
import { ring } from '../shm/doorbell.js';
import { CPU, Ipi, type KernelShm } from './layout.js';
import { TASK, type TaskShm } from './task-layout.js';

/** Syscall numbers that run on the CPU actor (x86_64 numbering where one exists). */
export const NR = { sched_yield: 24, getcpu: 309, timerlat_read: 1000, timerlat_close: 1001 } as const;
export type SyscallNr = (typeof NR)[keyof typeof NR];

/** A handler returns the value (negative errno on error), or `undefined` to complete it later. */
export type SyscallHandler = (slot: number, args: Int32Array, argBase: number) => number | undefined;

/** Task side: post syscall `nr` with request `id` from slot `slot` to `cpu`. */
export function postSyscall(k: KernelShm, t: TaskShm, cpu: number, slot: number, nr: SyscallNr, id: number, args: readonly number[]): void {
  const s = t.slotBase(slot);
  t.i32[s + TASK.SYS_NR] = nr;
  for (let i = 0; i < args.length && i < 5; i++) t.i32[s + TASK.SYS_ARGS + i] = args[i]!;
  t.i32[s + TASK.SYS_ID] = id;
  Atomics.or(k.i32, k.syscallIndex(cpu, slot), 1 << (slot & 31)); // publish: args above, then our bit
  ring(k.i32, k.cpuBase(cpu) + CPU.PENDING, Ipi.SYSCALL);
}

/** CPU side: publish the result of the syscall `slot` posted last. */
export function completeSyscall(t: TaskShm, slot: number, ret: number): void {
  const s = t.slotBase(slot);
  t.i32[s + TASK.SYS_RET] = ret;
  Atomics.store(t.i32, s + TASK.SYS_DONE_ID, t.i32[s + TASK.SYS_ID]!); // publish: SYS_RET above
  kick(t.i32, s + TASK.SYS_DONE);
  kick(t.i32, s + TASK.WAKE); // a task in an interruptible wait sleeps on WAKE
}

/** The syscall table of one CPU: built-ins plus handlers tracers register. */
export class SyscallTable {
  readonly #handlers = new Map<number, SyscallHandler>();

  constructor(cpuId: number) {
    this.#handlers.set(NR.sched_yield, () => 0);
    this.#handlers.set(NR.getcpu, () => cpuId);
  }

  /** Register (or replace) the handler of `nr`. */
  register(nr: SyscallNr, h: SyscallHandler): void {
    this.#handlers.set(nr, h);
  }

  /** Serve every syscall posted to `cpu`. Returns how many ran. */
  serve(k: KernelShm, t: TaskShm, cpu: number): number {
    const first = k.syscallBase(cpu);
    let n = 0;
    for (let w = 0; w < k.syscallWords; w++) {
      let bits = Atomics.exchange(k.i32, first + w, 0); // acquire: the tasks' args were published before their bit
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const slot = w * 32 + b;
        const s = t.slotBase(slot);
        const h = this.#handlers.get(t.i32[s + TASK.SYS_NR]!);
        const ret = h === undefined ? -38 /* ENOSYS */ : h(slot, t.i32, s + TASK.SYS_ARGS);
        if (ret !== undefined) completeSyscall(t, slot, ret);
        n++;
      }
    }
    return n;
  }
}
