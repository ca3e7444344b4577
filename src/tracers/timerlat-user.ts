// The user-space half of timerlat_fd (trace_osnoise.c: timerlat_fd_read, the thread sample taken
// "in the task's own context"): after the CPU completes the holder's read at the timer IRQ, the task
// records the thread sample itself, once it really runs again; a sample that stops tracing first
// dumps the stack the IRQ saved (print_stack, timerlat-stack-shm.ts). Runs in the fd-holding task's
// worker; it is the single writer of its CPU's thread record while it holds the fd.
import { RingBuffer } from '../ringbuf/index.js';
import { clockNs } from '../shm/clock.js';
import { Ctx, recordSample } from './latency-stats.js';
import { SampleWriter } from './timerlat-event.js';
import { TLC, TLG, allocateTimerlat, bumpMaxLatency, claimStop, type TimerlatShm } from './timerlat-layout.js';
import { dumpSharedStack } from './timerlat-stack-shm.js';

/**
 * tracing_on as the fd holder reads and clears it. A class, not two closures: its methods are the same
 * functions for every holder and for the rehearsal below, so the code optimised there stays valid.
 */
export class TracingSwitch {
  readonly #i32: Int32Array;
  readonly #index: number;
  constructor(i32: Int32Array, index: number) {
    this.#i32 = i32;
    this.#index = index;
  }
  on(): boolean {
    return Atomics.load(this.#i32, this.#index) === 1; // acquire
  }
  off(): void {
    Atomics.store(this.#i32, this.#index, 0); // publish
  }
}

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
  readonly #tracing: TracingSwitch;

  /** Open: rehearse the thread sample once per worker (below), then attach the ring's write path. */
  constructor(tl: TimerlatShm, ring: RingBuffer, cpu: number, tracing: TracingSwitch) {
    rehearseThreadSample(ring);
    this.#tl = tl;
    this.#ring = ring;
    this.#cpu = cpu;
    this.#tracing = tracing;
    this.#writer.attach(ring); // at open, not at the first thread sample
  }

  /** Record the thread sample right after the read returned from the timer wake-up. Returns it (ns). */
  threadSample(): number {
    const now = clockNs();
    const cb = this.#tl.cpuBase(this.#cpu);
    const abs = this.#tl.f64[(cb >> 1) + TLC.F64_ABS_PERIOD]!; // acquire: ordered by the completion kick
    const seq = Atomics.load(this.#tl.i32, cb + TLC.SEQ); // acquire: ordered by the completion kick
    const lat = now - abs;
    // Counted only if this activation's irq sample was and tracing is still on (timerlat.ts: "Counted").
    const counted = this.#tl.i32[cb + TLC.IRQ_COUNTED_SEQ] === seq && this.#tracing.on(); // plain: ordered by the completion kick
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
    if (claimStop(this.#tl, this.#cpu, Ctx.THREAD, lat, dumped)) this.#tracing.off();
    return lat;
  }
}

/*
 * Why a rehearsal in the holder's worker, and what it costs: the first thread samples ran cold code.
 * V8 compiles a function's bytecode at its first call, allocates its feedback after about 8 calls,
 * compiles it with Sparkplug in batches after that and with TurboFan after hundreds; at one sample
 * per period each of these landed inside a measured activation: the first sample's ring write took
 * 670 µs (the writer's full reserve path, never run in this worker), recordSample 170, and the
 * batches and feedback allocations added 100–300 µs at activations #9, #11, #16 and #19; the
 * interpreted path cost 30–60 µs per sample until about #20 (docs/timerlat.md, "The first
 * activation"). So the first open in each task worker first runs TimerlatUser.threadSample on a
 * private one-CPU timerlat region and ring, REHEARSAL_SAMPLES times (every one counted and written:
 * the stats, the ring's raw and page-turn paths, the max-latency CAS, the threshold compare) and
 * only then makes the real holder. Nothing shared is touched. Cost, once per worker: ~10–30 ms and
 * a ring of 4 pages; later opens pay nothing.
 */
const REHEARSAL_SAMPLES = 3000;
const REHEARSAL_MAX_MS = 40;
const NEVER_US = 2 ** 31 - 1;
let rehearsed = false;

function rehearseThreadSample(real: RingBuffer): void {
  if (rehearsed) return;
  rehearsed = true;
  const g = real.params;
  const ring = RingBuffer.create({ cpus: 1, subbufSize: g.subbufSize, subbufsPerCpu: 4, mode: 'overwrite', spare: g.banks === 2 });
  const tl = allocateTimerlat(1);
  const cb = tl.cpuBase(0);
  const on = new Int32Array(new SharedArrayBuffer(4));
  on[0] = 1;
  tl.i32[tl.g + TLG.STOP_TOTAL_US] = NEVER_US; // the threshold compare runs, never stops
  tl.i32[cb + TLC.HOLDER] = 1;
  const u = new TimerlatUser(tl, ring, 0, new TracingSwitch(on, 0));
  const end = clockNs() + REHEARSAL_MAX_MS * 1e6;
  for (let seq = 1; seq <= REHEARSAL_SAMPLES; seq++) {
    // What the CPU's IRQ publishes before it completes the read (private region: plain stores).
    tl.f64[(cb >> 1) + TLC.F64_ABS_PERIOD] = clockNs() - 1000;
    tl.i32[cb + TLC.SEQ] = seq;
    tl.i32[cb + TLC.IRQ_COUNTED_SEQ] = seq;
    u.threadSample();
    if ((seq & 63) === 0 && clockNs() > end) break;
  }
}
