// The kernel's shared memory: one block per simulated CPU (doorbell, state, IRQ/IPI counters,
// busy/idle time under a seqcount) plus a ping bitmap for CPU→CPU IPI replies.
// Allocated by the control plane, attached by every CPU actor and task actor.
// Each CPU block is 128 bytes (two cache lines) so one CPU's doorbell never shares a line with another's.
import { defineLayout, type Views } from '../shm/layout.js';

/** Upper bound on simulated CPUs, like the kernel's NR_CPUS (a Lab with more gets EINVAL). */
export const MAX_CPUS = 1024;

/** Int32 words per CPU block (128 bytes). */
export const CPU_STRIDE_I32 = 32;

/*
 * One CPU block, at i32 index cpuBase(cpu) (byte offset 8 + cpu*128):
 *
 * | i32 off | bytes | type | written by            | read by        | meaning                                   |
 * |--------:|------:|------|-----------------------|----------------|-------------------------------------------|
 * |  0      | 4     | i32  | any (Atomics.or)      | owner CPU      | doorbell pending reason bits (IPI)         |
 * |  1      | 4     | i32  | owner CPU             | ringers        | doorbell sleeping flag                     |
 * |  2      | 4     | i32  | owner CPU             | control plane  | CpuState (offline/online/crashed/stopped)  |
 * |  3      | 4     | i32  | owner CPU             | readers        | seqcount over the f64 stats below          |
 * |  4      | 4     | i32  | owner CPU             | any            | hardirqs taken (timer IRQs)                |
 * |  5      | 4     | i32  | owner CPU             | any            | IPIs handled                               |
 * |  6      | 4     | i32  | owner CPU             | any            | hrtimers expired                           |
 * |  7      | 4     | i32  | owner CPU             | any            | syscalls served                            |
 * |  8      | 4     | i32  | owner CPU             | any            | kernel-thread runs                         |
 * |  9      | 4     | i32  | —                     | —              | padding: the f64 fields start 8-aligned    |
 * | 10 (f64 5)  | 8 | f64  | owner CPU (seqcount)  | any            | busy ns (handling IRQs, IPIs, kthreads)    |
 * | 12 (f64 6)  | 8 | f64  | owner CPU (seqcount)  | any            | idle ns (asleep on the doorbell)           |
 * | 14 (f64 7)  | 8 | f64  | owner CPU             | any (stale-ok) | next hrtimer deadline ns, or +Inf          |
 * | 16 (f64 8)  | 8 | f64  | owner CPU (seqcount)  | any            | clock at the last stats update             |
 * | 18..31  | 56    | —    | —                     | —              | reserved, pads the block to 128 bytes      |
 */
export const CPU = {
  PENDING: 0,
  SLEEPING: 1,
  STATE: 2,
  SEQ: 3,
  IRQS: 4,
  IPIS: 5,
  TIMERS: 6,
  SYSCALLS: 7,
  KTHREAD_RUNS: 8,
  /** f64 element offsets within the block (i32 offset / 2). */
  F64_BUSY_NS: 5,
  F64_IDLE_NS: 6,
  F64_NEXT_DEADLINE_NS: 7,
  F64_STAMP_NS: 8,
} as const;

/** CPU actor states as stored in the STATE word. */
export const CpuState = { OFFLINE: 0, ONLINE: 1, CRASHED: 2, STOPPED: 3 } as const;
export type CpuStateValue = (typeof CpuState)[keyof typeof CpuState];

/** IPI reason bits rung into a CPU's doorbell. Bit 30 is the shutdown (cancel) bit. */
export const Ipi = {
  RESCHED: 1 << 0,
  /** Control messages wait on the CPU's port (setup/teardown; never the hot path). */
  CALL: 1 << 1,
  /** A CPU asks for a PONG; the asker's bit is in the ping bitmap. */
  PING: 1 << 2,
  /** Reply to PING. */
  PONG: 1 << 3,
  /** A task posted a syscall to this CPU; the task's bit is in the syscall bitmap. */
  SYSCALL: 1 << 4,
  /** Test-only fault injection: the CPU actor crashes. */
  CRASH: 1 << 29,
  /** Shutdown: the CPU actor leaves its loop. Also the cancel bit of every wait on the doorbell. */
  SHUTDOWN: 1 << 30,
} as const;
export type IpiName = Lowercase<keyof typeof Ipi>;

/** The kernel region for `cpus` CPUs and `maxTasks` task slots. */
export function kernelLayout(cpus: number, maxTasks: number) {
  const pingWords = Math.ceil(cpus / 32);
  const sysWords = Math.ceil(maxTasks / 32);
  return defineLayout('kernel', 0x4b524e4c /* 'KRNL' */, 2, {
    params: { kind: 'i32', count: 2 }, // [cpus, maxTasks], written once by allocate
    shutdown: { kind: 'i32' }, // set once by the control plane; every CPU also gets Ipi.SHUTDOWN
    tracingOn: { kind: 'i32' }, // tracing_on: control plane writes, writers load (stale-ok: an event may land just after off)
    ringGen: { kind: 'i32' }, // bumped by the control plane each time buffer_size_kb replaces the ring; tasks re-attach on change
    cpu: { kind: 'i32', count: cpus * CPU_STRIDE_I32 },
    ping: { kind: 'i32', count: cpus * pingWords }, // ping[target][asker>>5] bit asker&31
    syscall: { kind: 'i32', count: cpus * sysWords }, // syscall[cpu][slot>>5] bit slot&31
  });
}

/** Attached kernel region with the indices every user needs. */
export interface KernelShm {
  readonly views: Views;
  readonly cpus: number;
  readonly maxTasks: number;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  /** i32 index of the shutdown word. */
  readonly shutdownIndex: number;
  /** i32 index of the tracing_on word (1 = writers record). */
  readonly tracingOnIndex: number;
  /** i32 index of the ring generation word (bumped when buffer_size_kb replaces the ring). */
  readonly ringGenIndex: number;
  /** i32 index of CPU `cpu`'s block. */
  cpuBase(cpu: number): number;
  /** i32 index of ping word `word` of CPU `target`. */
  pingIndex(target: number, asker: number): number;
  readonly pingWords: number;
  /** i32 index of the syscall bitmap word covering task slot `slot` on `cpu`. */
  syscallIndex(cpu: number, slot: number): number;
  readonly syscallWords: number;
  syscallBase(cpu: number): number;
}

function wrap(views: Views, cpus: number, maxTasks: number): KernelShm {
  const L = kernelLayout(cpus, maxTasks);
  const pingWords = Math.ceil(cpus / 32);
  const syscallWords = Math.ceil(maxTasks / 32);
  const cpu0 = L.index.cpu;
  return {
    views,
    cpus,
    maxTasks,
    i32: views.i32,
    f64: views.f64,
    shutdownIndex: L.index.shutdown,
    tracingOnIndex: L.index.tracingOn,
    ringGenIndex: L.index.ringGen,
    cpuBase: (cpu) => cpu0 + cpu * CPU_STRIDE_I32,
    pingIndex: (target, asker) => L.index.ping + target * pingWords + (asker >> 5),
    pingWords,
    syscallIndex: (cpu, slot) => L.index.syscall + cpu * syscallWords + (slot >> 5),
    syscallWords,
    syscallBase: (cpu) => L.index.syscall + cpu * syscallWords,
  };
}

/** Allocate the kernel region (control plane). */
export function allocateKernel(cpus: number, maxTasks: number): KernelShm {
  const L = kernelLayout(cpus, maxTasks);
  const views = L.allocate();
  views.i32[L.index.params] = cpus;
  views.i32[L.index.params + 1] = maxTasks;
  return wrap(views, cpus, maxTasks);
}

/** Attach the kernel region in any thread; sizes come from the region's own params words. */
export function attachKernel(sab: SharedArrayBuffer): KernelShm {
  const probe = new Int32Array(sab, 0, 4);
  const cpus = probe[2]!;
  const maxTasks = probe[3]!;
  const views = kernelLayout(cpus, maxTasks).attach(sab);
  return wrap(views, cpus, maxTasks);
}
