// The CPU-side syscall entry (arch/x86/entry: do_syscall_64, reduced). A task on this CPU writes
// its syscall number and arguments into its slot, sets its bit in this CPU's syscall bitmap and
// rings Ipi.SYSCALL; the CPU actor runs the call and publishes the return through SYS_DONE.
// Runs inside the CPU actor. Ordering: task stores args, then Atomics.or of its bit (publish);
// the CPU exchanges the bitmap word (acquire), runs, stores SYS_RET, then adds SYS_DONE (publish).
import { kick } from '../shm/wait.js';
import { ring } from '../shm/doorbell.js';
import { CPU, Ipi, type KernelShm } from './layout.js';
import { TASK, type TaskShm } from './task-layout.js';
import type { Cpu } from './cpu.js';

/** Syscall numbers that run on the CPU actor (x86_64 numbering). */
export const NR = { sched_yield: 24, getcpu: 309 } as const;
export type SyscallNr = (typeof NR)[keyof typeof NR];

/** Task side: post syscall `nr` from task slot `slot` to `cpu`. The caller then waits on SYS_DONE. */
export function postSyscall(k: KernelShm, t: TaskShm, cpu: number, slot: number, nr: SyscallNr, args: readonly number[]): void {
  const s = t.slotBase(slot);
  t.i32[s + TASK.SYS_NR] = nr;
  for (let i = 0; i < args.length && i < 5; i++) t.i32[s + TASK.SYS_ARGS + i] = args[i]!;
  Atomics.or(k.i32, k.syscallIndex(cpu, slot), 1 << (slot & 31)); // publish: args above, then our bit
  ring(k.i32, k.cpuBase(cpu) + CPU.PENDING, Ipi.SYSCALL);
}

/** CPU side: run one syscall for `slot`; returns the value (negative errno on error). */
function dispatch(cpu: Cpu, slot: number): number {
  const s = cpu.t.slotBase(slot);
  const nr = cpu.t.i32[s + TASK.SYS_NR]!;
  switch (nr) {
    case NR.sched_yield:
      return 0;
    case NR.getcpu:
      return cpu.id;
    default:
      return -38; // ENOSYS (stable across Linux architectures)
  }
}

/** CPU side: serve every syscall posted to this CPU. Returns how many ran. */
export function serveSyscalls(cpu: Cpu): number {
  const { k, t } = cpu;
  const first = k.syscallBase(cpu.id);
  let n = 0;
  for (let w = 0; w < k.syscallWords; w++) {
    let bits = Atomics.exchange(k.i32, first + w, 0); // acquire: the tasks' args were published before their bit
    while (bits !== 0) {
      const b = 31 - Math.clz32(bits & -bits);
      bits &= bits - 1;
      const slot = w * 32 + b;
      const s = t.slotBase(slot);
      t.i32[s + TASK.SYS_RET] = dispatch(cpu, slot);
      kick(t.i32, s + TASK.SYS_DONE); // publish: SYS_RET above
      n++;
    }
  }
  return n;
}
