// CPU actor entry point that piscina loads from dist/actors/cpu.js: one long task per worker.
// Thin: attach the shared regions from the payload, plug the tracers into the CPU through a
// CpuPort, and run the kernel loop of src/kernel/cpu.ts.
import { MessageChannel } from 'node:worker_threads';
import { CPU, Ipi, allocateKernel, attachKernel } from '../src/kernel/layout.js';
import { allocateTasks, attachTasks, TASK } from '../src/kernel/task-layout.js';
import { createCpu, runCpu, type Cpu } from '../src/kernel/cpu.js';
import { setThreadTimerSlack } from '../src/kernel/timer-slack.js';
import { TimerQueue, type HrTimer } from '../src/kernel/hrtimer.js';
import type { KThread, RunContext } from '../src/kernel/kthread.js';
import { NR, completeSyscall, postSyscall, type SyscallNr } from '../src/kernel/syscalls.js';
import { clockNs } from '../src/shm/clock.js';
import type { CpuBoot, CpuExit, CpuReply, CpuRequest } from '../src/lab/protocol.js';
import { unknownMessage } from '../src/errno.js';
import type { CpuPort, KthreadHandle, TimerHandle } from '../src/tracers/cpu-port.js';
import { TimerlatCpu, timerlatSyscalls } from '../src/tracers/timerlat.js';
import { TLC, TLG, allocateTimerlat, attachTimerlat } from '../src/tracers/timerlat-layout.js';
import { RingBuffer } from '../src/ringbuf/index.js';
import { NoiseSource } from '../src/tracers/noise.js';
import { ActivityLog } from '../src/tracers/activity.js';

/*
 * The port hands out the kernel's own objects behind opaque handle types. A class, not an object of
 * closures: its methods are the same functions for every port in this thread, so the timerlat
 * rehearsal's port and the real one give the hot path's call sites one target each, and V8 keeps
 * the code it optimised during the rehearsal ("wrong call target" deoptimisations otherwise).
 */
class KernelPort implements CpuPort {
  readonly id: number;
  readonly activity = new ActivityLog();
  readonly context: RunContext;
  readonly #cpu: Cpu;
  #inIrqWindow = false;

  constructor(cpu: Cpu) {
    this.#cpu = cpu;
    this.id = cpu.id;
    this.context = cpu.kthreads.context;
  }

  ring(): RingBuffer {
    return this.#cpu.ring;
  }
  timer(fn: (nowNs: number) => void): TimerHandle {
    return TimerQueue.timer((now) => fn(now)) as unknown as TimerHandle;
  }
  arm(h: TimerHandle, deadlineNs: number): void {
    this.#cpu.timers.arm(h as unknown as HrTimer, deadlineNs);
  }
  cancel(h: TimerHandle): void {
    this.#cpu.timers.cancel(h as unknown as HrTimer);
  }
  kthread(name: string, run: (nowNs: number) => void): KthreadHandle {
    return this.#cpu.kthreads.create(name, run) as unknown as KthreadHandle;
  }
  wake(h: KthreadHandle): void {
    this.#cpu.kthreads.wake(h as unknown as KThread);
  }
  stopKthread(h: KthreadHandle): void {
    this.#cpu.kthreads.stop(h as unknown as KThread);
  }
  pollIrqs(): void {
    if (this.#inIrqWindow) return; // no nested IRQ windows
    this.#inIrqWindow = true;
    if (this.context.on) this.context.window();
    try {
      this.#cpu.timers.expire(clockNs);
    } finally {
      this.#inIrqWindow = false;
    }
  }
  syscall(nr: number, h: (slot: number, args: Int32Array, argBase: number) => number | undefined, name?: string): void {
    const { context: ctx } = this;
    const t = this.#cpu.t;
    // The syscall a task asked for is a frame of the saved stack: `<name> [pid N]`.
    const code = ctx.intern(`${name ?? `sys_${nr}`} [pid %u]`);
    this.#cpu.syscalls.register(nr as SyscallNr, (slot, args, argBase) => {
      if (!ctx.on) return h(slot, args, argBase);
      ctx.enter(code, Atomics.load(t.i32, t.slotBase(slot) + TASK.PID)); // acquire: published before the syscall bit
      try {
        return h(slot, args, argBase);
      } finally {
        ctx.leave();
      }
    });
  }
  complete(slot: number, ret: number): void {
    completeSyscall(this.#cpu.t, slot, ret);
  }
  taskPid(slot: number): number {
    const t = this.#cpu.t;
    return Atomics.load(t.i32, t.slotBase(slot) + TASK.PID);
  }
  taskCpu(slot: number): number {
    const t = this.#cpu.t;
    return Atomics.load(t.i32, t.slotBase(slot) + TASK.CPU);
  }
  tracingOn(): boolean {
    const k = this.#cpu.k;
    return Atomics.load(k.i32, k.tracingOnIndex) === 1;
  }
  tracingOff(): void {
    const k = this.#cpu.k;
    Atomics.store(k.i32, k.tracingOnIndex, 0);
  }
  post(msg: unknown): void {
    this.#cpu.post(msg as CpuReply);
  }
}

/** piscina task: boot CPU `payload.cpu` and run it until shutdown. */
export default function cpuActor(payload: CpuBoot): CpuExit {
  if (payload.type !== 'cpu.boot') unknownMessage('cpu actor', payload);
  const k = attachKernel(payload.kernelSab);
  const t = attachTasks(payload.tasksSab);
  const cpu = createCpu(payload.cpu, k, t, payload.ring, payload.port, setThreadTimerSlack(payload.timerSlackNs)); // before the first sleep
  const port = new KernelPort(cpu);
  // Made at the first start, after the rehearsal, so it is built with the object shapes the
  // rehearsal's optimised code expects (an instance made earlier would deoptimise it: "wrong map").
  let timerlat: TimerlatCpu | undefined;
  let noise: NoiseSource[] = [];
  const tl = attachTimerlat(payload.timerlatSab);
  const ready = (): TimerlatCpu => {
    if (timerlat === undefined) {
      for (const r of REHEARSALS) rehearseTimerlat(cpu, r);
      timerlat = new TimerlatCpu(port, tl);
    }
    return timerlat;
  };
  timerlatSyscalls(port, () => timerlat);
  cpu.handlers.set('timerlat.rehearse', (msg: CpuRequest) => {
    if (msg.type !== 'timerlat.rehearse') return;
    const rehearsed = timerlat === undefined;
    ready();
    cpu.post({ type: 'timerlat.rehearse.done', id: msg.id, rehearsed });
  });
  cpu.handlers.set('timerlat.start', () => {
    // A CPU outside osnoise/cpus has nothing to run (TimerlatCpu.start would return at once).
    if (timerlat === undefined && Atomics.load(tl.i32, tl.cpuBase(cpu.id) + TLC.ENABLED) !== 1) return; // acquire: published with RUNNING
    ready().start();
  });
  cpu.handlers.set('timerlat.stop', () => timerlat?.stop());
  cpu.handlers.set('noise.set', (msg: CpuRequest) => {
    if (msg.type !== 'noise.set') return;
    for (const n of noise) n.stop();
    noise = msg.sources.map((spec) => new NoiseSource(port, spec));
    cpu.post({ type: 'noise.set.done', id: msg.id });
  });
  try {
    const reason = runCpu(cpu, payload.port);
    return { type: 'cpu.exit', cpu: payload.cpu, reason };
  } finally {
    cpu.ring.flushWakeups(); // a crash mid-pass must not keep a reader waiting for a kick its commits owed
    payload.port.close();
  }
}

/*
 * Why a rehearsal, and what it costs: V8 optimises a function only after it has run enough, and at
 * one activation per period timerlat's path (runCpu's pass, hrtimer expiry, the IRQ and thread
 * samples, the ring write, the kthread wake) took 2–4 s to get there, deoptimising and starting over
 * on the way: thread minus irq latency was 8–15 µs in the first seconds of every run against 1.5–2.5
 * µs after (docs/timerlat.md, "Start-up"). So the first timerlat start on each CPU actor first runs
 * that same code, the real runCpu loop and a TimerlatCpu behind a KernelPort, on a private one-CPU
 * kernel, ring and timerlat region: 2000 activations at a 1 µs period (most periods already due, so no
 * sleeping), then 300 at 20 µs (the sleeping, non-skipping path), each bounded by REHEARSAL_MAX_MS and
 * cut short (within 1 ms) by a shutdown IPI to the real CPU.
 * Only then is the real TimerlatCpu made, with the object shapes the optimised code expects. Nothing
 * shared is touched. Cost, once per CPU actor: ~45 ms wall during which IPIs to this CPU wait, and
 * ~75 ms of process CPU, most of it the optimising compiler's, which a run without the rehearsal
 * spends too, over its first seconds. A lab that never starts timerlat pays nothing.
 */
/*
 * The second rehearsal sets stop_tracing_us, stop_tracing_total_us and print_stack to a latency no
 * sample reaches: the code a threshold or print_stack adds to every activation (the IRQ's end stamp,
 * the threshold compares, the stack save) then runs too, and a run with -i/-T/-s does not deoptimise
 * on its first activation ("insufficient type feedback"); nothing ever stops or dumps.
 */
/*
 * The third rehearsal runs user mode (NO_OSNOISE_WORKLOAD): a timerlat_fd holder in task slot 0 of
 * the private regions, played by an hrtimer on the same CPU that posts the next read() through the
 * real syscall path (postSyscall, the syscall table, fdRead) as soon as the previous one completed.
 * Without it the IRQ's user-mode branch, the read's completion and fdRead ran for the first time at
 * the first real activation: TurboFan's #irq deoptimised there ("insufficient type feedback") and
 * the IRQ-to-completion path took 120–210 µs at activation #1 against 15–20 µs later (docs/timerlat.md,
 * "The first activation"). The holder's own side is rehearsed in its worker (timerlat-user-rehearsal.ts).
 */
const NEVER_US = 2 ** 31 - 1;
const REHEARSALS = [
  { periodNs: 1000, activations: 2000, knobsUs: 0, userMode: false },
  { periodNs: 20_000, activations: 300, knobsUs: NEVER_US, userMode: false },
  { periodNs: 1000, activations: 1000, knobsUs: NEVER_US, userMode: true },
] as const;
const REHEARSAL_MAX_MS = 60;
/** The rehearsal holder's pid: any non-zero pid, in the private task table only. */
const REHEARSAL_HOLDER_PID = 1;
/** How often the rehearsal holder checks for its read's completion. */
const POLL_NS = 1000;

function rehearseTimerlat(real: Cpu, { periodNs, activations, knobsUs, userMode }: (typeof REHEARSALS)[number]): void {
  const k = allocateKernel(1, 1);
  Atomics.store(k.i32, k.tracingOnIndex, 1); // private region: no other thread
  const g = real.ring.params; // the same page size and banks; overwrite, so a full ring keeps taking writes; 4 pages turn as often
  const ring = RingBuffer.create({ cpus: 1, subbufSize: g.subbufSize, subbufsPerCpu: 4, mode: 'overwrite', spare: g.banks === 2 });
  const ch = new MessageChannel();
  const tasks = allocateTasks(1);
  const cpu = createCpu(0, k, tasks, ring.handle, ch.port1, real.timerSlack);
  const port = new KernelPort(cpu);
  const tl = allocateTimerlat(1);
  tl.f64[(tl.g >> 1) + TLG.F64_PERIOD_NS] = periodNs;
  tl.i32[tl.cpuBase(0) + TLC.ENABLED] = 1;
  for (const w of [TLG.STOP_US, TLG.STOP_TOTAL_US, TLG.PRINT_STACK_US]) tl.i32[tl.g + w] = knobsUs;
  const tracer = new TimerlatCpu(port, tl);
  if (userMode) {
    tl.i32[tl.g + TLG.USER_MODE] = 1;
    tl.i32[tl.cpuBase(0) + TLC.HOLDER] = REHEARSAL_HOLDER_PID;
    tasks.i32[tasks.slotBase(0) + TASK.PID] = REHEARSAL_HOLDER_PID; // private region: no other thread
    tasks.i32[tasks.slotBase(0) + TASK.CPU] = 0;
    timerlatSyscalls(port, () => tracer);
  }
  const end = clockNs() + REHEARSAL_MAX_MS * 1e6;
  // A second kthread, woken with every check: the kthread run loop's call site then sees two
  // targets and V8 compiles it as a generic call, so the real timerlat/N (a new closure) does not
  // deoptimise it ("wrong call target") at its first wake (noise kthreads do the same, when there are any).
  const other = cpu.kthreads.create('rehearsal', () => undefined);
  const check = TimerQueue.timer((now, t) => {
    cpu.kthreads.wake(other);
    const shutdown = (Atomics.load(real.k.i32, real.base + CPU.PENDING) & Ipi.SHUTDOWN) !== 0; // stale-ok: checked every 1 ms
    if (tl.i32[tl.cpuBase(0) + TLC.SEQ]! >= activations || now >= end || shutdown) Atomics.or(k.i32, k.cpuBase(0) + CPU.PENDING, Ipi.SHUTDOWN);
    else cpu.timers.arm(t, now + 1e6);
  });
  cpu.timers.arm(check, clockNs() + 1e6);
  tracer.start();
  if (userMode) {
    // The holder: read() again once the last one completed (the real holder takes its thread
    // sample in between, in its own worker), polling every POLL_NS.
    let id = 1;
    const base = tasks.slotBase(0);
    postSyscall(k, tasks, 0, 0, NR.timerlat_read, id, []);
    const holder = TimerQueue.timer((now, t) => {
      if (tasks.i32[base + TASK.SYS_DONE_ID] === id) postSyscall(k, tasks, 0, 0, NR.timerlat_read, ++id, []); // same thread: plain
      cpu.timers.arm(t, now + POLL_NS); // not `now`: expire() would run it again and again
    });
    cpu.timers.arm(holder, clockNs() + POLL_NS);
  }
  try {
    runCpu(cpu, ch.port1);
  } finally {
    tracer.stop();
    ch.port1.close();
  }
}
