// The timerlat_sample trace event (include/trace/events/osnoise.h: timerlat_sample): payload layout,
// the writer used on the hot path (no allocation), and the text line the seed specifies:
// `#%-5u context %6s timer_latency %9llu ns`. Runs wherever samples are taken or printed.
// The kernel's line head shows the task that wrote the event (common_pid of the entry header); our
// record header has no pid, so a sample taken by a thread carries its pid after the kernel's fields:
// the holder task (timerlat_fd: thread, user-ret) or the kernel thread timerlat/N (kernel mode:
// thread). IRQ samples omit it and print `<idle>-0`.
import type { RingBuffer, Reservation } from '../ringbuf/index.js';
import { registerEvent } from '../ringbuf/events.js';
import { CTX_NAMES, type CtxId } from './latency-stats.js';

/** Event type id of timerlat_sample in the trace ring (built-ins use 1..15). */
export const TIMERLAT_SAMPLE = 2;
/** Payload bytes: u32 seqnum, u32 context, f64 timer_latency ns. */
export const TIMERLAT_SAMPLE_BYTES = 16;
/**
 * Payload bytes of a sample taken by a thread (holder task or timerlat/N): the above, then u32 pid.
 * Why only those, and what it costs: the ring aligns records to 8 bytes, so the pid makes a record
 * 32 bytes instead of 24. IRQ samples, half the ring's traffic, stay at 24; a kernel-mode
 * activation writes 56 bytes instead of 48 (one u32 store more), the price of a line head that
 * names `timerlat/N` as the kernel's does.
 */
export const TIMERLAT_SAMPLE_PID_BYTES = 20;

/** First kernel-thread pid of timerlat/N (user task pids start at 1000: src/lab/tasks.ts). */
export const TIMERLAT_KTHREAD_PID_BASE = 100;
/** Task pids wrap at this pid_max (src/lab/tasks.ts), so pids above it are never a task's. */
const PID_MAX = 4_194_304;
const BELOW_TASKS = 1000 - TIMERLAT_KTHREAD_PID_BASE; // CPUs whose kthread pid fits below 1000

/**
 * The stable pid of CPU `cpu`'s timerlat/N kthread: 100 + N, below the first task pid. A lab of
 * more than 900 CPUs gives the rest pids above pid_max, which tasks never get.
 */
export function timerlatKthreadPid(cpu: number): number {
  return cpu < BELOW_TASKS ? TIMERLAT_KTHREAD_PID_BASE + cpu : PID_MAX + 1 + cpu;
}

/** The CPU whose timerlat/N kthread has `pid`, or undefined. */
export function timerlatKthreadCpu(pid: number): number | undefined {
  if (pid >= TIMERLAT_KTHREAD_PID_BASE && pid < 1000) return pid - TIMERLAT_KTHREAD_PID_BASE;
  if (pid > PID_MAX + BELOW_TASKS) return pid - PID_MAX - 1;
  return undefined;
}

/** A reusable writer of timerlat_sample events into one ring. */
export class SampleWriter {
  #ring: RingBuffer | undefined;
  #res: Reservation | undefined;
  #d32: Int32Array | undefined;
  #d64: Float64Array | undefined;

  /**
   * Take `ring`'s reservation object, data views and raw path now (a start or an fd open does this,
   * so the per-sample path never has to: the raw path's set-up cost 40–110 µs on the first sample).
   */
  attach(ring: RingBuffer): void {
    if (ring === this.#ring) return;
    this.#ring = ring;
    if (LITTLE_ENDIAN) ring.prepareRaw();
    this.#res = ring.newReservation();
    this.#d32 = ring.dataI32;
    this.#d64 = ring.dataF64;
  }

  /**
   * Write one sample on `cpu` at `tsNs`; false when the ring dropped it (counted by the ring).
   * `pid` is the thread the sample was taken by (0: the IRQ, the line shows `<idle>-0`).
   * The ring's raw path (reserveRaw/commitRaw) with the payload stored as native words, which are
   * the little-endian layout decodeSample reads; a big-endian host takes the Reservation path.
   */
  write(ring: RingBuffer, cpu: number, tsNs: number, seq: number, ctx: CtxId, latencyNs: number, pid = 0): boolean {
    if (ring !== this.#ring) this.attach(ring);
    const bytes = pid === 0 ? TIMERLAT_SAMPLE_BYTES : TIMERLAT_SAMPLE_PID_BYTES;
    if (!LITTLE_ENDIAN) return this.#writeReservation(ring, cpu, tsNs, seq, ctx, latencyNs, pid, bytes);
    const off = ring.reserveRaw(cpu, bytes, TIMERLAT_SAMPLE, tsNs);
    if (off < 0) return false;
    const d32 = this.#d32!;
    const w = off >> 2;
    d32[w] = seq | 0; // u32 bits
    d32[w + 1] = ctx;
    this.#d64![(off >> 3) + 1] = latencyNs; // payloads start 8-byte aligned
    if (pid !== 0) d32[w + 4] = pid | 0;
    ring.commitRaw();
    return true;
  }

  #writeReservation(ring: RingBuffer, cpu: number, tsNs: number, seq: number, ctx: CtxId, latencyNs: number, pid: number, bytes: number): boolean {
    const r = ring.reserve(cpu, bytes, TIMERLAT_SAMPLE, tsNs, this.#res);
    if (r === null) return false;
    r.setU32(0, seq >>> 0);
    r.setU32(4, ctx);
    r.setF64(8, latencyNs);
    if (pid !== 0) r.setU32(16, pid >>> 0);
    ring.commit(r);
    return true;
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** A decoded timerlat_sample. */
export interface TimerlatSample {
  readonly seqnum: number;
  readonly context: (typeof CTX_NAMES)[number];
  readonly timerLatencyNs: number;
  /** The thread that took the sample (a user task, or timerlat/N's kthread pid); 0 for IRQ samples and older payloads. */
  readonly pid: number;
}

/** Decode a payload (16 bytes without a pid, 20 with one). */
export function decodeSample(payload: Uint8Array): TimerlatSample {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const pid = payload.byteLength >= TIMERLAT_SAMPLE_PID_BYTES ? dv.getUint32(16, true) : 0;
  return { seqnum: dv.getUint32(0, true), context: CTX_NAMES[dv.getUint32(4, true)] ?? 'irq', timerLatencyNs: dv.getFloat64(8, true), pid };
}

/** The seed's text: `#1     context    irq timer_latency      1234 ns`. */
export function formatSample(s: TimerlatSample): string {
  return `#${String(s.seqnum).padEnd(5)} context ${s.context.padStart(6)} timer_latency ${String(Math.round(s.timerLatencyNs)).padStart(9)} ns`;
}

/** Teach the trace printers the timerlat_sample line (idempotent; the control plane calls it once). */
export function registerTimerlatEvent(): void {
  registerEvent({
    type: TIMERLAT_SAMPLE,
    name: 'timerlat_sample',
    format: (p) => formatSample(decodeSample(p)),
    pidOf: (p) => (p.byteLength >= TIMERLAT_SAMPLE_PID_BYTES ? new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(16, true) : 0),
  });
}
