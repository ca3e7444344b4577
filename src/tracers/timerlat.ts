// The timerlat tracer on one CPU (kernel/trace/trace_osnoise.c: timerlat_irq, timerlat_main,
// timerlat_fd_read), the per-period hot path. Runs inside the CPU actor; no xstate, no messages per
// sample: every sample goes to the SAB accumulator and the trace ring directly.
// Kernel mode: the hrtimer IRQ takes the irq sample and wakes the kthread timerlat/N, which takes
// the thread sample and arms the next absolute period. User mode (NO_OSNOISE_WORKLOAD): the IRQ
// completes the holder's pending timerlat_fd read; the task takes the thread sample itself and
// its next read() takes the user-ret sample here and re-arms.
import { clockNs } from '../shm/clock.js';
import { Ctx, recordSample, type CtxId } from './latency-stats.js';
import { SampleWriter, timerlatKthreadPid } from './timerlat-event.js';
import { SavedStack } from './timerlat-stack-event.js';
import { publishSavedStack } from './timerlat-stack-shm.js';
import { TLC, TLG, bumpMaxLatency, claimStop, type TimerlatShm } from './timerlat-layout.js';
import type { CpuPort, KthreadHandle, TimerHandle } from './cpu-port.js';

/** Stop-record context for an exception (migration) rather than a sample. */
export const CTX_EXCEPTION = 3;

/** Messages this tracer posts to the control plane (lifecycle edges only). */
export type TimerlatNotice =
  | { readonly type: 'timerlat.stop_hit'; readonly cpu: number; readonly ctx: number; readonly latencyNs: number; readonly analysis: StopAnalysisData }
  | { readonly type: 'timerlat.exception'; readonly cpu: number; readonly pid: number; readonly taint: string };

type FdState = 'closed' | 'opened' | 'waiting' | 'in-user';

/** What ran between the deadline and the sample that crossed a threshold (rtla's timerlat_aa input). */
export interface StopAnalysisData {
  readonly cpu: number;
  readonly seqnum: number;
  readonly irqLatencyNs: number;
  readonly irqDurationNs: number;
  readonly threadLatencyNs: number | null;
  readonly blocking: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly startNs: number; readonly durationNs: number }>;
  /** The `<stack trace>` print_stack wrote for this activation (frames, innermost first), if any. */
  readonly stack?: readonly string[];
}

const EINVAL = -22;
const EBADF = -9;

/** timerlat on one CPU. */
export class TimerlatCpu {
  readonly #port: CpuPort;
  readonly #tl: TimerlatShm;
  readonly #cb: number; // i32 index of this CPU's block
  readonly #writer = new SampleWriter();
  readonly #timer: TimerHandle;
  #kthread: KthreadHandle | undefined;
  #running = false;
  #userMode = false;
  #periodNs = 1e6;
  #absNs = 0;
  #seq = 0;
  #fd: FdState = 'closed';
  #waiter = -1;
  #irqStartNs = 0;
  #irqEndNs = 0;
  // This activation's samples so far were all counted: the next one is counted only if tracing is
  // still on too (#sample). The IRQ starts each activation's chain; see "Counted" below.
  #counted = false;
  readonly #stack: SavedStack;
  #printStackUs = 0; // print_stack as the last IRQ read it
  #dumpSeq = 0; // activation whose stack was dumped last, and its frames
  #dumpFrames: readonly string[] | null = null;
  readonly #kpid: number; // pid of timerlat/N: its thread samples and stacks name it
  readonly #template = (code: number): string => this.#port.context.template(code);

  constructor(port: CpuPort, tl: TimerlatShm) {
    this.#port = port;
    this.#tl = tl;
    this.#cb = tl.cpuBase(port.id);
    this.#kpid = timerlatKthreadPid(port.id);
    this.#timer = port.timer((now) => this.#irq(now));
    this.#stack = new SavedStack(port.context);
  }

  /** Start the workload with the configuration the control plane published. */
  start(): void {
    this.stop();
    const i32 = this.#tl.i32;
    const g = this.#tl.g;
    if (Atomics.load(i32, this.#cb + TLC.ENABLED) !== 1) return;
    this.#userMode = Atomics.load(i32, g + TLG.USER_MODE) === 1;
    this.#periodNs = this.#tl.f64[(g >> 1) + TLG.F64_PERIOD_NS]!;
    this.#seq = 0;
    Atomics.store(i32, this.#cb + TLC.SEQ, 0); // single writer (this CPU)
    i32[this.#cb + TLC.STACK_SEQ] = 0; // single writer: no stack saved in this run yet (published by the first kick)
    this.#stack.clear();
    this.#dumpFrames = null;
    this.#port.context.on = i32[g + TLG.PRINT_STACK_US]! > 0; // stale-ok: every IRQ re-reads it
    this.#running = true;
    this.#writer.attach(this.#port.ring());
    if (this.#userMode) return; // the first read() arms the timer
    this.#kthread = this.#port.kthread(`timerlat/${this.#port.id}`, (now) => this.#thread(now));
    this.#firstPeriod(clockNs());
  }

  // The first deadline: one period from now, or with TIMERLAT_ALIGN the shared aligned start plus
  // this CPU's rank × timerlat_align_us, so the CPUs wake in a staggered, fixed pattern.
  #firstPeriod(now: number): void {
    const i32 = this.#tl.i32;
    const g = this.#tl.g;
    const alignUs = i32[g + TLG.ALIGN_US]!;
    this.#absNs = now;
    if (alignUs > 0) {
      let rank = 0;
      for (let c = 0; c < this.#port.id; c++) if (i32[this.#tl.cpuBase(c) + TLC.ENABLED] === 1) rank++;
      const period = this.#tl.f64[(g >> 1) + TLG.F64_PERIOD_NS]!;
      this.#absNs = this.#tl.f64[(g >> 1) + TLG.F64_ALIGN_BASE_NS]! + rank * alignUs * 1e3 - period;
    }
    this.#armNext(now);
  }

  /** Stop the workload: cancel the timer, end the kthread, drop the fd state. */
  stop(): void {
    this.#running = false;
    this.#port.context.on = false;
    this.#port.cancel(this.#timer);
    if (this.#kthread !== undefined) this.#port.stopKthread(this.#kthread);
    this.#kthread = undefined;
    this.fdClose();
  }

  // The hrtimer IRQ: irq sample, then wake the thread (kernel mode) or the fd reader (user mode).
  #irq(now: number): void {
    if (!this.#running) return;
    this.#irqStartNs = now;
    const lat = now - this.#absNs;
    const seq = ++this.#seq;
    this.#tl.i32[this.#cb + TLC.SEQ] = seq; // single writer, plain: published with ABS_PERIOD by the completion kick; the fd holder reads it, snapshots stale-ok
    // print_stack: save what this CPU was running when the IRQ was taken (timerlat_save_stack).
    // Off (0), this is one plain load per IRQ, as the kernel's `if (osnoise_data.print_stack)`.
    const ps = this.#tl.i32[this.#tl.g + TLG.PRINT_STACK_US]!; // stale-ok: a write applies from the next IRQ
    this.#printStackUs = ps;
    if (ps > 0) {
      this.#stack.save();
      // User mode: the holder's worker dumps it (timerlat_fd_read); publish it before the kick.
      if (this.#userMode) publishSavedStack(this.#tl, this.#port.id, seq, this.#stack.words, this.#stack.pairs, this.#template);
    }
    this.#port.context.on = ps > 0;
    this.#counted = true;
    this.#sample(now, seq, Ctx.IRQ, lat, TLG.STOP_US);
    // Only the stop analysis of a thread/user-ret sample reads the IRQ's end: with that threshold
    // off, skip the clock read (one of the few a period pays for; see src/kernel/cpu.ts).
    if (this.#tl.i32[this.#tl.g + TLG.STOP_TOTAL_US]! > 0) this.#irqEndNs = clockNs(); // stale-ok: a threshold set mid-activation gives that one analysis a 0 IRQ duration
    if (!this.#userMode) {
      this.#port.wake(this.#kthread!);
      return;
    }
    this.#tl.i32[this.#cb + TLC.IRQ_COUNTED_SEQ] = this.#counted ? seq : 0; // single writer, plain: published by the completion kick (the holder's thread sample chains on it)
    if (this.#waiter >= 0) {
      const slot = this.#waiter;
      this.#waiter = -1;
      this.#fd = 'in-user';
      this.#port.complete(slot, 0); // publish: ABS_PERIOD and SEQ were stored first
    } else {
      Atomics.add(this.#tl.i32, this.#cb + TLC.NO_WAITER, 1); // single writer; a signal took the reader away
    }
  }

  // timerlat/N: the thread sample, then the next absolute period.
  #thread(now: number): void {
    if (!this.#running) return;
    this.#sample(now, this.#seq, Ctx.THREAD, now - this.#absNs, TLG.STOP_TOTAL_US, this.#kpid);
    this.#armNext(now);
  }

  /** read() on osnoise/per_cpu/cpuN/timerlat_fd, served on this CPU (see timerlatSyscalls). */
  fdRead(slot: number): number | undefined {
    const i32 = this.#tl.i32;
    const pid = this.#port.taskPid(slot);
    if (!this.#running || !this.#userMode) return EINVAL;
    if (Atomics.load(i32, this.#cb + TLC.HOLDER) !== pid) return EBADF;
    if (Atomics.load(i32, this.#cb + TLC.DEAD) !== 0) return EINVAL;
    if (this.#port.taskCpu(slot) !== this.#port.id) {
      // The holder migrated and nobody saw it yet: the fd dies, tracing stops (not a kill).
      Atomics.store(i32, this.#cb + TLC.DEAD, 1);
      this.#exception(pid, 'timerlat user thread migrate');
      return EINVAL;
    }
    const now = clockNs();
    if (this.#fd === 'in-user') {
      this.#counted = i32[this.#cb + TLC.THREAD_COUNTED_SEQ] === this.#seq; // the holder's plain store, published by this read's syscall request
      this.#sample(now, this.#seq, Ctx.USER, now - this.#absNs, TLG.STOP_TOTAL_US, pid);
    }
    if (this.#fd === 'closed' || this.#fd === 'opened') {
      this.#firstPeriod(now);
    } else if (this.#fd === 'in-user') {
      this.#armNext(now);
    } // 'waiting' again after a signal: the armed timer still stands
    this.#fd = 'waiting';
    this.#waiter = slot;
    return undefined; // completed by the IRQ
  }

  /** The fd's release, and the end of a run: cancel the timer, fail a pending read with EBADF. */
  fdClose(): void {
    this.#port.cancel(this.#timer);
    if (this.#waiter >= 0) this.#port.complete(this.#waiter, EBADF);
    this.#waiter = -1;
    this.#fd = 'closed';
    if (this.#running && this.#userMode) {
      this.#seq = 0;
      this.#tl.i32[this.#cb + TLC.STACK_SEQ] = 0; // single writer: the next holder's #1 must not match an old save
    }
  }

  // The next absolute period after `now`; deadlines already past are skipped and counted.
  #armNext(now: number): void {
    this.#periodNs = this.#tl.f64[(this.#tl.g >> 1) + TLG.F64_PERIOD_NS]!; // stale-ok: a period write applies from the next arm
    let next = this.#absNs + this.#periodNs;
    if (next <= now) {
      const missed = Math.floor((now - next) / this.#periodNs) + 1;
      next += missed * this.#periodNs;
      Atomics.add(this.#tl.i32, this.#cb + TLC.SKIPPED, missed); // single writer (this CPU)
    }
    this.#absNs = next;
    this.#tl.f64[(this.#cb >> 1) + TLC.F64_ABS_PERIOD] = next; // published by the completion kick
    this.#port.arm(this.#timer, next);
  }

  /*
   * Counted: the statistics describe exactly the samples the trace holds, as rtla's do (it reads them
   * from the trace, or from its BPF collector, which stops at the stop-tracing flag). So a sample is
   * counted and traced only while tracing is on: after a threshold stop (or tracing_on 0) the timers
   * keep cycling, but nothing is counted until tracing_on 1. Within one activation (irq, thread, then
   * user-ret at the next read) a sample is also counted only if the earlier ones were, so a stop or a
   * restart in the middle of an activation never leaves thread > irq or user-ret > thread. Cost per
   * sample: the one tracing_on load the ring write already needed, and a field test.
   */

  // `pid`: the thread a sample is taken for (its trace line shows it): the holder for user-ret,
  // timerlat/N for a kernel-mode thread sample, 0 for the IRQ.
  #sample(now: number, seq: number, ctx: CtxId, latNs: number, thresholdWord: number, pid = 0): void {
    if (!this.#counted || !this.#port.tracingOn()) {
      this.#counted = false;
      return;
    }
    recordSample(this.#tl.stats, this.#port.id, ctx, latNs);
    this.#writer.write(this.#port.ring(), this.#port.id, now, seq, ctx, latNs, pid);
    if (ctx !== Ctx.IRQ) bumpMaxLatency(this.#tl, Math.floor(latNs / 1000));
    const latUs = Math.floor(latNs / 1000);
    const ps = this.#printStackUs;
    // timerlat_main dumps the IRQ's stack after every thread sample at or above print_stack.
    if (ps > 0 && ctx === Ctx.THREAD) this.#dump(now, seq, latUs, pid);
    const thr = this.#tl.i32[this.#tl.g + thresholdWord]!;
    if (thr <= 0 || latUs < thr) return;
    // timerlat_irq: an IRQ latency that stops tracing dumps the stack now when stop_tracing_us <=
    // print_stack (the thread that would print it will not be traced any more).
    if (ctx === Ctx.IRQ && ps > 0 && thr <= ps) this.#dump(now, seq, latUs, 0);
    if (claimStop(this.#tl, this.#port.id, ctx, latNs)) {
      this.#port.tracingOff();
      this.#port.post({ type: 'timerlat.stop_hit', cpu: this.#port.id, ctx, latencyNs: latNs, analysis: this.#analyze(now, seq, ctx, latNs) } satisfies TimerlatNotice);
    }
  }

  // The breakdown of the activation that hit: IRQ delay, IRQ duration, what ran until the sample.
  #analyze(now: number, seq: number, ctx: CtxId, latNs: number): StopAnalysisData {
    const abs = this.#absNs;
    const irqDone = ctx === Ctx.IRQ;
    return {
      cpu: this.#port.id,
      seqnum: seq,
      irqLatencyNs: irqDone ? latNs : this.#irqStartNs - abs,
      irqDurationNs: irqDone ? 0 : Math.max(0, this.#irqEndNs - this.#irqStartNs),
      threadLatencyNs: irqDone ? null : latNs,
      blocking: this.#port.activity.between(abs, now),
      ...(this.#dumpFrames !== null && this.#dumpSeq === seq ? { stack: this.#dumpFrames } : {}),
    };
  }

  // timerlat_dump_stack: the stack saved at this activation's IRQ, if latencyUs >= print_stack.
  // `pid`: who dumps it (timerlat/N's pid from the thread, 0 from the IRQ).
  #dump(now: number, seq: number, latUs: number, pid: number): void {
    const frames = this.#stack.dump(this.#port.ring(), this.#port.id, now, latUs, this.#printStackUs, pid);
    if (frames === null) return;
    this.#dumpSeq = seq;
    this.#dumpFrames = frames;
  }

  #exception(pid: number, taint: string): void {
    if (claimStop(this.#tl, this.#port.id, CTX_EXCEPTION, 0)) this.#port.tracingOff();
    this.#port.post({ type: 'timerlat.exception', cpu: this.#port.id, pid, taint } satisfies TimerlatNotice);
  }
}

/**
 * Register timerlat_fd's read and release on a CPU; `current()` is the CPU's TimerlatCpu, or
 * undefined before its first start (then a read fails with EINVAL, as on a CPU not running timerlat).
 */
export function timerlatSyscalls(port: CpuPort, current: () => TimerlatCpu | undefined): void {
  port.syscall(1000, (slot) => {
    const t = current();
    return t === undefined ? EINVAL : t.fdRead(slot); // undefined from fdRead: completed later by the IRQ
  }, 'timerlat_fd_read'); // NR.timerlat_read
  port.syscall(1001, () => (current()?.fdClose(), 0), 'timerlat_fd_release'); // NR.timerlat_close
}
