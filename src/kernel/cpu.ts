// The loop of one simulated CPU (kernel/sched/idle.c do_idle + the IRQ exit path, reduced).
// Runs inside the CPU actor worker for the lifetime of the lab. It sleeps on its doorbell until the
// earliest hrtimer deadline or an IPI, then runs, in order: IPIs, expired hrtimers (the "timer IRQ"),
// then runnable kernel threads. Only this thread writes its CPU block (single writer), except the
// doorbell's pending word, which any thread ORs.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { clockNs } from '../shm/clock.js';
import { sleep, take } from '../shm/doorbell.js';
import { writeBegin, writeEnd } from '../shm/seqcount.js';
import { CPU, CpuState, Ipi, type KernelShm } from './layout.js';
import { TimerQueue, type HrTimer } from './hrtimer.js';
import { FRAME, KThreadQueue } from './kthread.js';
import { answerPings, cpuOnline, sendPing } from './ipi.js';

/** How often a CPU waiting for a PONG checks that its target is still alive. */
const PING_RECHECK_MS = 100;
import { SyscallTable } from './syscalls.js';
import type { TaskShm } from './task-layout.js';
import { RingBuffer, type RingHandle } from '../ringbuf/index.js';
import type { CpuReply, CpuRequest } from '../lab/protocol.js';
import { unknownMessage } from '../errno.js';
import type { TimerSlackState } from './timer-slack.js';

/** Everything one CPU's kernel side owns. Tracers hook in through `timers` and `kthreads`. */
export interface Cpu {
  readonly id: number;
  /** This actor thread's timer slack, as set at boot (reported with cpu.online). */
  readonly timerSlack: TimerSlackState;
  readonly k: KernelShm;
  readonly t: TaskShm;
  readonly timers: TimerQueue;
  readonly kthreads: KThreadQueue;
  /** i32 index of this CPU's block. */
  readonly base: number;
  /** The trace buffer, attached with this CPU as owner (local commits); replaced on resize. */
  ring: RingBuffer;
  /** Syscalls served on this CPU; tracers register theirs. */
  readonly syscalls: SyscallTable;
  /** Control-message handlers added by tracers, by message type. */
  readonly handlers: Map<string, (msg: CpuRequest) => void>;
  /** Reply to the control plane. */
  post(msg: CpuReply): void;
}

/** Create the kernel side of CPU `id`. */
export function createCpu(id: number, k: KernelShm, t: TaskShm, ring: RingHandle, port: MessagePort, timerSlack: TimerSlackState): Cpu {
  return {
    id,
    timerSlack,
    k,
    t,
    ring: RingBuffer.attach(ring, { ownerCpu: id, deferWakeups: true }), // woken at the end of each pass (irq_work)
    syscalls: new SyscallTable(id),
    handlers: new Map(),
    timers: new TimerQueue(),
    kthreads: new KThreadQueue(),
    base: k.cpuBase(id),
    post: (msg) => port.postMessage(msg),
  };
}

/** Run CPU `cpu` until the shutdown IPI. Throws when a crash is injected. */
export function runCpu(cpu: Cpu, port: MessagePort): 'shutdown' {
  const { k, base } = cpu;
  const i32 = k.i32;
  const f64 = k.f64;
  const fb = base / 2; // f64 index of the block (base is even: blocks are 128-byte aligned)
  const cancel = { view: i32, index: base + CPU.PENDING, mask: Ipi.SHUTDOWN };
  let carry = 0; // bits taken while blocked inside a handler, handled on the next pass
  // Replies that report counted work ('timers.fired'), sent once the pass has counted it, so a
  // control plane that reads cpuStats() on the reply sees its timers in the counters.
  const afterPass: CpuReply[] = [];
  let busyNs = 0;
  let idleNs = 0;
  let mark = clockNs();

  Atomics.store(i32, base + CPU.STATE, CpuState.ONLINE); // publish: IPIs are now taken
  cpu.post({ type: 'cpu.online', cpu: cpu.id, timerSlack: cpu.timerSlack });

  const publishStats = (now: number): void => {
    writeBegin(i32, base + CPU.SEQ);
    f64[fb + CPU.F64_BUSY_NS] = busyNs;
    f64[fb + CPU.F64_IDLE_NS] = idleNs;
    f64[fb + CPU.F64_STAMP_NS] = now;
    writeEnd(i32, base + CPU.SEQ);
  };

  // Handle one control message. Blocking handlers (ping-pong) keep answering IPIs while they wait.
  const handle = (msg: CpuRequest): void => {
    switch (msg.type) {
      case 'timers.arm': {
        const fired: Array<{ deadlineNs: number; firedNs: number }> = [];
        for (const d of msg.deadlinesNs) {
          const timer: HrTimer = TimerQueue.timer((now) => {
            fired.push({ deadlineNs: d, firedNs: now });
            if (fired.length === msg.deadlinesNs.length) afterPass.push({ type: 'timers.fired', id: msg.id, fired });
          });
          cpu.timers.arm(timer, d);
        }
        return;
      }
      case 'ipi.pingpong': {
        const rttNs: number[] = [];
        for (let r = 0; r < msg.rounds; r++) {
          const t0 = clockNs();
          sendPing(k, cpu.id, msg.target);
          for (;;) {
            // A target that died never answers: give up once it is no longer online.
            const res = sleep(i32, base + CPU.PENDING, undefined, cancel, PING_RECHECK_MS);
            if (res === 'cancelled') return;
            const bits = take(i32, base + CPU.PENDING);
            if ((bits & Ipi.PING) !== 0) answerPings(k, cpu.id); // two CPUs may ping each other
            carry |= bits & ~(Ipi.PONG | Ipi.PING);
            if ((bits & Ipi.PONG) !== 0) break;
            if (!cpuOnline(k, msg.target)) {
              cpu.post({ type: 'ipi.pingpong.done', id: msg.id, rttNs, error: `cpu${msg.target} is not online` });
              return;
            }
          }
          rttNs.push(clockNs() - t0);
        }
        Atomics.add(i32, base + CPU.IPIS, msg.rounds);
        cpu.post({ type: 'ipi.pingpong.done', id: msg.id, rttNs });
        return;
      }
      case 'kthread.busy': {
        const code = cpu.kthreads.context.intern(`lab_busy [busy/${cpu.id} %u us]`);
        const kt = cpu.kthreads.create(`busy/${cpu.id}`, (start) => {
          const end = start + msg.busyUs * 1e3;
          const ctx = cpu.kthreads.context;
          const on = ctx.on;
          if (on) ctx.enter(code, msg.busyUs);
          let now = start;
          while (now < end) now = clockNs(); // a non-preemptible kernel section, on purpose
          if (on) ctx.leave();
          cpu.kthreads.stop(kt);
          cpu.post({ type: 'kthread.busy.done', id: msg.id, startNs: start, endNs: now });
        });
        cpu.kthreads.wake(kt);
        return;
      }
      case 'ring.attach':
        cpu.ring.flushWakeups(); // owed to the old ring's readers
        cpu.ring = RingBuffer.attach(msg.ring, { ownerCpu: cpu.id, deferWakeups: true });
        return;
      case 'fault.inject':
        if (msg.mode === 'exit') process.exit(70); // a worker that dies outright
        throw new Error(`injected fault on cpu${cpu.id}`);
      default: {
        const h = cpu.handlers.get((msg as { type: string }).type);
        if (h === undefined) unknownMessage(`cpu${cpu.id}`, msg);
        h(msg);
      }
    }
  };

  /*
   * Why the clock is passed along instead of re-read, and what it costs: a clockNs() is a runtime
   * call into process.hrtime() (≈ 27 ns hot, several times that on the cold caches a 1 ms
   * sleep leaves behind). A pass reads it at the wake, after the kthreads, and nowhere else unless
   * something ran: the timer IRQ fires at the wake stamp, and the sleep takes a relative timeout
   * from the end-of-pass stamp instead of re-reading the clock against an absolute deadline. An
   * early OS wake-up (never seen below 1 µs) is one more pass: expire() sees nothing due, we sleep
   * again. That is how the CPU never runs a timer early.
   */
  let now = mark; // the clock at the top of this pass: the wake-up, or the end of the last pass
  const ctx = cpu.kthreads.context; // what runs, for timerlat's print_stack (kthread.ts: RunContext)
  for (;;) {
    const bits = take(i32, base + CPU.PENDING) | carry;
    carry = 0;
    if ((bits & Ipi.SHUTDOWN) !== 0) break;
    if (bits !== 0) {
      Atomics.add(i32, base + CPU.IPIS, 1); // single writer
      const on = ctx.on;
      if (on) ctx.enter(FRAME.IPI, bits);
      if ((bits & Ipi.CALL) !== 0) {
        for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) handle(m.message as CpuRequest);
      }
      if ((bits & Ipi.PING) !== 0) answerPings(k, cpu.id);
      if ((bits & Ipi.SYSCALL) !== 0) {
        if (on) ctx.enter(FRAME.SYSCALLS, 0);
        Atomics.add(i32, base + CPU.SYSCALLS, cpu.syscalls.serve(k, cpu.t, cpu.id)); // RMW only
        if (on) ctx.leave();
      }
      if (on) ctx.leave();
      now = clockNs(); // handlers may have run for a while
    }
    const expired = cpu.timers.expire(clockNs, now);
    if (expired > 0) {
      i32[base + CPU.IRQS] = i32[base + CPU.IRQS]! + 1; // single writer, plain: one timer interrupt, possibly many expiries
      i32[base + CPU.TIMERS] = i32[base + CPU.TIMERS]! + expired; // single writer, plain
    }
    const ran = cpu.kthreads.runAll(clockNs);
    if (ran > 0) i32[base + CPU.KTHREAD_RUNS] = i32[base + CPU.KTHREAD_RUNS]! + ran; // single writer, plain
    if (expired > 0 || ran > 0) now = clockNs();

    busyNs += now - mark;
    mark = now;
    const next = cpu.timers.nextDeadlineNs();
    f64[fb + CPU.F64_NEXT_DEADLINE_NS] = next; // stale-ok: display only
    publishStats(now); // publish: also the plain counters above (the seqcount's closing RMW orders them)
    cpu.ring.flushWakeups(); // the readers this pass's commits owe a wake-up: after the samples, not between them
    while (afterPass.length !== 0) cpu.post(afterPass.shift()!);
    if (carry !== 0 || cpu.kthreads.hasRunnable || next <= now) continue;
    const r = sleep(i32, base + CPU.PENDING, undefined, cancel, Number.isFinite(next) ? (next - now) / 1e6 : undefined);
    now = clockNs();
    idleNs += now - mark;
    mark = now;
    if (r === 'cancelled') break;
    if (ctx.on) ctx.woke();

  }
  publishStats(clockNs());
  Atomics.store(i32, base + CPU.STATE, CpuState.STOPPED); // publish: the loop is gone
  return 'shutdown';
}
