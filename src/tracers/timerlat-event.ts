// The timerlat_sample trace event (include/trace/events/osnoise.h: timerlat_sample): payload layout,
// the writer used on the hot path (no allocation), and the text line the seed specifies:
// `#%-5u context %6s timer_latency %9llu ns`. Runs wherever samples are taken or printed.
// The kernel's line head shows the task that wrote the event (common_pid of the entry header); our
// record header has no pid, so a sample taken for a user task (timerlat_fd: thread, user-ret)
// carries it after the kernel's fields. IRQ and kernel-mode samples omit it and print `<idle>-0`.
import type { RingBuffer, Reservation } from '../ringbuf/index.js';
import { registerEvent } from '../ringbuf/events.js';
import { CTX_NAMES, type CtxId } from './latency-stats.js';

/** Event type id of timerlat_sample in the trace ring (built-ins use 1..15). */
export const TIMERLAT_SAMPLE = 2;
/** Payload bytes: u32 seqnum, u32 context, f64 timer_latency ns. */
export const TIMERLAT_SAMPLE_BYTES = 16;
/**
 * Payload bytes of a sample taken for a user task: the above, then u32 pid. Why only those, and
 * what it costs: the ring aligns records to 8 bytes, so the pid makes a record 32 bytes instead of
 * 24; the per-period IRQ and kernel-thread samples, most of the ring's traffic, stay at 24.
 */
export const TIMERLAT_SAMPLE_PID_BYTES = 20;

/** A reusable writer of timerlat_sample events into one ring. */
export class SampleWriter {
  #ring: RingBuffer | undefined;
  #res: Reservation | undefined;

  /**
   * Write one sample on `cpu` at `tsNs`; false when the ring dropped it (counted by the ring).
   * `pid` is the user task the sample was taken for (0: none, the line shows `<idle>-0`).
   */
  write(ring: RingBuffer, cpu: number, tsNs: number, seq: number, ctx: CtxId, latencyNs: number, pid = 0): boolean {
    if (ring !== this.#ring) {
      this.#ring = ring;
      this.#res = ring.newReservation();
    }
    const r = ring.reserve(cpu, pid === 0 ? TIMERLAT_SAMPLE_BYTES : TIMERLAT_SAMPLE_PID_BYTES, TIMERLAT_SAMPLE, tsNs, this.#res);
    if (r === null) return false;
    r.setU32(0, seq >>> 0);
    r.setU32(4, ctx);
    r.setF64(8, latencyNs);
    if (pid !== 0) r.setU32(16, pid >>> 0);
    ring.commit(r);
    return true;
  }
}

/** A decoded timerlat_sample. */
export interface TimerlatSample {
  readonly seqnum: number;
  readonly context: (typeof CTX_NAMES)[number];
  readonly timerLatencyNs: number;
  /** The user task the sample was taken for; 0 for IRQ and kernel-thread samples. */
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
