// Shared memory of the timerlat tracer (kernel/trace/trace_osnoise.c: struct timerlat_variables,
// osnoise_data): the configuration the control plane publishes at start, the stop-tracing record,
// one block per CPU (fd holder, activation seqnum, absolute period, skipped periods) and the latency
// accumulator. Attached by the control plane, every CPU actor and the fd-holding tasks.
import { defineLayout, type Views } from '../shm/layout.js';
import { statsBytes, statsViews, type StatsShm } from './latency-stats.js';

/** Int32 words per CPU block (128 bytes). */
export const TL_STRIDE_I32 = 32;

/*
 * Global words (i32 index into `cfg`):
 * | idx | type | written by                 | meaning                                                  |
 * |----:|------|----------------------------|----------------------------------------------------------|
 * | 0   | i32  | control plane              | running: 1 while the timerlat workload runs              |
 * | 1   | i32  | control plane              | user mode: 1 with NO_OSNOISE_WORKLOAD (timerlat_fd)      |
 * | 2   | i32  | control plane              | stop_tracing_us (0 = off)                                |
 * | 3   | i32  | control plane              | stop_tracing_total_us (0 = off)                          |
 * | 4   | i32  | any writer (CAS 0→1)       | stop hit: the first thread that crossed a threshold owns the record |
 * | 5   | i32  | stop owner                 | stop cpu                                                 |
 * | 6   | i32  | stop owner                 | stop context (0 irq, 1 thread, 2 user-ret, 3 exception)  |
 * | 7   | i32  | any writer (CAS max)       | tracing_max_latency, µs                                  |
 * | 8-9 | f64  | control plane              | period, ns                                               |
 * | 10-11 | f64 | stop owner                | stop latency, ns                                         |
 * | 12  | i32  | control plane              | timerlat_align_us with TIMERLAT_ALIGN set, else 0        |
 * | 13  | i32  | control plane              | print_stack, µs (0 = off): save the stack at the IRQ, dump it at or above |
 * | 14-15 | f64 | control plane             | aligned start: the first deadline of the first CPU, ns   |
 * | 16  | i32  | stop owner                 | stop stack: (code, arg) pairs of the saved stack a user-mode stop dumped, -1 = none |
 * | 17  | i32  | stop owner                 | stop stack: the CPU whose frame table names its codes    |
 * | 18-35 | i32 | stop owner                | stop stack: the pairs (STACK_SAVE_WORDS words)           |
 *
 * Per-CPU block (i32 index cpuBase(cpu)):
 * | off | type | written by                  | meaning                                                 |
 * |----:|------|-----------------------------|---------------------------------------------------------|
 * | 0   | i32  | control plane               | fd holder pid (0 = none)                                |
 * | 1   | i32  | control plane / CPU (RMW)   | fd dead: 1 after the holder migrated                    |
 * | 2   | i32  | CPU actor                   | seqnum of the current activation (first = 1)            |
 * | 3   | i32  | CPU actor                   | skipped periods (deadline already in the past)          |
 * | 4   | i32  | control plane               | enabled: this CPU is in osnoise/cpus                    |
 * | 5   | i32  | CPU actor                   | thread samples lost because no thread was waiting       |
 * | 6   | i32  | CPU actor (user mode)       | seqnum of the activation whose irq sample was counted, else 0 |
 * | 7   | i32  | fd holder; control plane at open | seqnum of the activation whose thread sample was counted, else 0 |
 * | 8-9 | f64  | CPU actor                   | absolute period of the current activation, ns           |
 * | 10  | i32  | CPU actor (user mode)       | print_stack: seqnum of the activation whose IRQ saved the stack below |
 * | 11  | i32  | CPU actor (user mode)       | print_stack: (code, arg) pairs saved                    |
 * | 12-29 | i32 | CPU actor (user mode)      | print_stack: the pairs, innermost first (STACK_SAVE_WORDS words) |
 * | 30-31 | —  |                             | reserved                                                |
 * Words 6 and 10-29 are plain stores made in the timer IRQ before the completion kick of the holder's
 * read(), which publishes them; the holder reads them after the kick, and the next IRQ (the only
 * writer) waits for the holder's next read() to arm the timer, so they are stable while it reads.
 * Word 7 is a plain store of the holder's thread sample, published to the CPU by its next read()
 * (the syscall request), where the user-ret sample reads it; the open clears it before it publishes
 * the new holder (a new holder's seqnums restart at #1, so an old value could match one of them).
 * Words 6 and 7 chain one activation's
 * samples: each is counted only if the one before it was and tracing is still on (latency-stats.ts).
 *
 * Frame tables (i32 index framesBase(cpu), FRAMES_STRIDE_I32 words per CPU): the RunContext frame
 * templates a CPU actor's saved stacks use, so other threads can name its code words.
 * | off | type | written by | meaning                                                            |
 * |----:|------|------------|--------------------------------------------------------------------|
 * | 0   | i32  | CPU actor  | templates published: codes 0..n-1 below are complete (publish)   |
 * | 1..FRAMES_MAX | i32 | CPU actor | byte end of template `code` - 1 in the text area (start: the previous end, or 0) |
 * | then | u8 × FRAMES_TEXT_BYTES | CPU actor | UTF-8 template text, appended; a template that does not fit is published empty (prints `?`) |
 */
export const TLG = { RUNNING: 0, USER_MODE: 1, STOP_US: 2, STOP_TOTAL_US: 3, STOP_HIT: 4, STOP_CPU: 5, STOP_CTX: 6, MAX_LAT_US: 7, ALIGN_US: 12, PRINT_STACK_US: 13, STOP_STACK_PAIRS: 16, STOP_STACK_CPU: 17, STOP_STACK_WORDS: 18, F64_PERIOD_NS: 4, F64_STOP_LAT_NS: 5, F64_ALIGN_BASE_NS: 7 } as const;
export const TLC = { HOLDER: 0, DEAD: 1, SEQ: 2, SKIPPED: 3, ENABLED: 4, NO_WAITER: 5, IRQ_COUNTED_SEQ: 6, THREAD_COUNTED_SEQ: 7, STACK_SEQ: 10, STACK_PAIRS: 11, STACK_WORDS: 12, F64_ABS_PERIOD: 4 } as const;
/** Words of a saved stack: (code, arg) pairs, 8 nested sections plus what ran last. */
export const STACK_SAVE_WORDS = 18;
/** Frame templates a CPU's table can name (codes at or above print `?`). */
export const FRAMES_MAX = 255;
/** Bytes of template text per CPU. */
export const FRAMES_TEXT_BYTES = 8192;
/** i32 words per CPU frame table: the count, FRAMES_MAX ends, the text. */
export const FRAMES_STRIDE_I32 = 1 + FRAMES_MAX + FRAMES_TEXT_BYTES / 4;

/** The timerlat region for `cpus` CPUs. */
export function timerlatLayout(cpus: number) {
  return defineLayout('timerlat', 0x544c4154 /* 'TLAT' */, 2, {
    params: { kind: 'i32', count: 2 }, // [cpus, 0]
    cfg: { kind: 'i32', count: TLG.STOP_STACK_WORDS + STACK_SAVE_WORDS },
    cpu: { kind: 'i32', count: cpus * TL_STRIDE_I32 },
    stats: { kind: 'i32', count: statsBytes(cpus) / 4 },
    frames: { kind: 'i32', count: cpus * FRAMES_STRIDE_I32 },
  });
}

/** Attached timerlat region. */
export interface TimerlatShm {
  readonly views: Views;
  readonly cpus: number;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  /** i32 index of the global words. */
  readonly g: number;
  /** i32 index of a CPU block. */
  cpuBase(cpu: number): number;
  readonly stats: StatsShm;
  /** i32 index of a CPU's frame table. */
  framesBase(cpu: number): number;
  /** Bytes of the whole region (frame-table text is read and written through it). */
  readonly u8: Uint8Array;
}

function wrap(views: Views, cpus: number): TimerlatShm {
  const L = timerlatLayout(cpus);
  return {
    views,
    cpus,
    i32: views.i32,
    f64: views.f64,
    g: L.index.cfg,
    cpuBase: (cpu) => L.index.cpu + cpu * TL_STRIDE_I32,
    stats: statsViews(views.sab, L.offset.stats, cpus),
    framesBase: (cpu) => L.index.frames + cpu * FRAMES_STRIDE_I32,
    u8: new Uint8Array(views.sab),
  };
}

/** Allocate (control plane). */
export function allocateTimerlat(cpus: number): TimerlatShm {
  const L = timerlatLayout(cpus);
  const views = L.allocate();
  views.i32[L.index.params] = cpus;
  return wrap(views, cpus);
}

/** Attach in any thread. */
export function attachTimerlat(sab: SharedArrayBuffer): TimerlatShm {
  const cpus = new Int32Array(sab, 0, 3)[2]!;
  return wrap(timerlatLayout(cpus).attach(sab), cpus);
}

/** Publish a written osnoise knob to every CPU (their next IRQ or arm reads it); knobs kept in the control plane only are ignored. */
export function publishKnob(tl: TimerlatShm, knob: string, value: number): void {
  if (knob === 'timerlat_period_us') tl.f64[(tl.g >> 1) + TLG.F64_PERIOD_NS] = value * 1e3; // stale-ok: the next arm reads it
  else if (knob === 'stop_tracing_us') Atomics.store(tl.i32, tl.g + TLG.STOP_US, value); // publish
  else if (knob === 'stop_tracing_total_us') Atomics.store(tl.i32, tl.g + TLG.STOP_TOTAL_US, value); // publish
  else if (knob === 'print_stack') Atomics.store(tl.i32, tl.g + TLG.PRINT_STACK_US, value); // publish: each CPU's next IRQ reads it
}

/** Raise tracing_max_latency to `us` if larger (CAS loop; rare after warm-up). */
export function bumpMaxLatency(tl: TimerlatShm, us: number): void {
  const at = tl.g + TLG.MAX_LAT_US;
  const v = Math.min(us, 2 ** 31 - 1) | 0;
  for (let cur = Atomics.load(tl.i32, at); v > cur; cur = Atomics.load(tl.i32, at)) {
    if (Atomics.compareExchange(tl.i32, at, cur, v) === cur) return; // RMW only
  }
}

/**
 * Claim the stop record if nobody did; returns true for the thread that stopped tracing.
 * `withStack`: the owner (a user-mode holder) dumped `cpu`'s saved stack; copy it into the record
 * for the control plane's auto-analysis (the CPU's block is overwritten by the next activation).
 */
export function claimStop(tl: TimerlatShm, cpu: number, ctx: number, latencyNs: number, withStack = false): boolean {
  if (Atomics.compareExchange(tl.i32, tl.g + TLG.STOP_HIT, 0, 1) !== 0) return false; // RMW only: one owner
  tl.i32[tl.g + TLG.STOP_CPU] = cpu;
  tl.i32[tl.g + TLG.STOP_CTX] = ctx;
  tl.f64[(tl.g >> 1) + TLG.F64_STOP_LAT_NS] = latencyNs;
  const cb = tl.cpuBase(cpu);
  const pairs = withStack ? tl.i32[cb + TLC.STACK_PAIRS]! : -1; // stable: see the per-CPU table
  tl.i32[tl.g + TLG.STOP_STACK_PAIRS] = pairs;
  tl.i32[tl.g + TLG.STOP_STACK_CPU] = cpu;
  for (let i = 0; i < 2 * pairs; i++) tl.i32[tl.g + TLG.STOP_STACK_WORDS + i] = tl.i32[cb + TLC.STACK_WORDS + i]!;
  Atomics.store(tl.i32, tl.g + TLG.STOP_HIT, 2); // publish: 2 = record complete
  Atomics.notify(tl.i32, tl.g + TLG.STOP_HIT); // the control plane waits on this word (waitAsync)
  return true;
}
