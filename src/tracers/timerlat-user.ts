// The user-space half of timerlat_fd (trace_osnoise.c: timerlat_fd_read, the thread sample taken
// "in the task's own context"): after the CPU completes the holder's read at the timer IRQ, the task
// records the thread sample itself, once it really runs again; a sample that stops tracing first
// dumps the stack the IRQ saved (print_stack, timerlat-stack-shm.ts). Runs in the fd-holding task's
// worker; it is the single writer of its CPU's thread record while it holds the fd.
import type { RingBuffer } from '../ringbuf/index.js';
import { clockNs } from '../shm/clock.js';
import { Ctx, recordSample } from './latency-stats.js';
import { SampleWriter } from './timerlat-event.js';
import { TLC, TLG, bumpMaxLatency, claimStop, type TimerlatShm } from './timerlat-layout.js';
import { dumpSharedStack } from './timerlat-stack-shm.js';

/** The task side of one timerlat_fd. */
export class TimerlatUser {
  readonly #tl: TimerlatShm;
  readonly #ring: RingBuffer;
  readonly #cpu: number;
  /** The CPU whose timerlat_fd this is. */
  get cpu(): number {
    return this.#cpu;
  }
  readonly #writer = new SampleWriter();
  readonly #tracing: () => boolean;
  readonly #off: () => void;

  constructor(tl: TimerlatShm, ring: RingBuffer, cpu: number, tracingOn: () => boolean, tracingOff: () => void) {
    this.#tl = tl;
    this.#ring = ring;
    this.#cpu = cpu;
    this.#tracing = tracingOn;
    this.#off = tracingOff;
    this.#writer.attach(ring); // at open, not at the first thread sample
    this.threadSample(true);
  }

  /**
   * Record the thread sample right after the read returned from the timer wake-up. Returns it (ns).
   * `dry`: compute it and return, recording nothing (the constructor's warm-up, below).
   */
  threadSample(dry = false): number {
    const now = clockNs();
    const cb = this.#tl.cpuBase(this.#cpu);
    const abs = this.#tl.f64[(cb >> 1) + TLC.F64_ABS_PERIOD]!; // acquire: ordered by the completion kick
    const seq = Atomics.load(this.#tl.i32, cb + TLC.SEQ); // acquire: ordered by the completion kick
    const lat = now - abs;
    // Why a dry call at open, and what it costs: V8 compiles a function's bytecode at its first call,
    // and the first thread sample's clock is read only after that compile; it measured 240–400 µs
    // between the holder's wake-up and this line at the first activation against ~30 later (most of
    // it gone under --no-lazy). One call at open moves the compile there; it stores nothing.
    if (dry) return lat;
    // Counted only if this activation's irq sample was and tracing is still on (timerlat.ts: "Counted").
    const counted = this.#tl.i32[cb + TLC.IRQ_COUNTED_SEQ] === seq && this.#tracing(); // plain: ordered by the completion kick
    this.#tl.i32[cb + TLC.THREAD_COUNTED_SEQ] = counted ? seq : 0; // single writer (the fd holder), plain: published to the CPU by our next read()
    if (!counted) return lat;
    recordSample(this.#tl.stats, this.#cpu, Ctx.THREAD, lat);
    const pid = this.#tl.i32[cb + TLC.HOLDER]!; // stale-ok: published before our open() returned, and ours while we hold the fd
    this.#writer.write(this.#ring, this.#cpu, now, seq, Ctx.THREAD, lat, pid);
    const latUs = Math.floor(lat / 1000);
    bumpMaxLatency(this.#tl, latUs);
    const thr = this.#tl.i32[this.#tl.g + TLG.STOP_TOTAL_US]!;
    if (thr <= 0 || latUs < thr) return lat;
    // timerlat_fd_read: the thread sample that hits stop_tracing_total_us dumps the IRQ's saved
    // stack (if latUs >= print_stack) before it stops tracing; the user-ret sample never does.
    const dumped = dumpSharedStack(this.#tl, this.#ring, this.#cpu, seq, now, latUs, pid);
    if (claimStop(this.#tl, this.#cpu, Ctx.THREAD, lat, dumped)) this.#off();
    return lat;
  }
}
