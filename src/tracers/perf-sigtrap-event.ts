// The perf:sigtrap trace event (tracelab's own: where each perf SIGTRAP fired): payload layout, the
// writer a task uses when one of its events sends SIGTRAP, and the trace line. Written in the task's
// worker as a remote writer of its current CPU's buffer; printed by the control plane, which
// registers the format once (registerPerfSigtrapEvent).
import type { RingBuffer } from '../ringbuf/index.js';
import { registerEvent } from '../ringbuf/events.js';

/** Event type of perf:sigtrap in the trace ring (a built-in in the reserved 4..15 range). */
export const PERF_SIGTRAP_EVENT = 4;
/** Payload: u32 pid, u32 si_perf_type, f64 si_addr, u32 sig_data lo, u32 sig_data hi, u32 si_perf_flags, u32 event id. */
export const PERF_SIGTRAP_BYTES = 32;

/** Fields of one perf:sigtrap. */
export interface PerfSigtrapRecord {
  readonly pid: number;
  readonly type: number;
  readonly addr: number;
  readonly sigData: bigint;
  readonly flags: number;
  readonly event: number;
}

/** Write one perf:sigtrap on `cpu`; false when the ring dropped it (the ring counts it). */
export function writePerfSigtrap(ring: RingBuffer, cpu: number, rec: PerfSigtrapRecord): boolean {
  const r = ring.reserve(cpu, PERF_SIGTRAP_BYTES, PERF_SIGTRAP_EVENT);
  if (r === null) return false;
  r.setU32(0, rec.pid >>> 0);
  r.setU32(4, rec.type >>> 0);
  r.setF64(8, rec.addr);
  r.setU32(16, Number(rec.sigData & 0xffffffffn));
  r.setU32(20, Number((rec.sigData >> 32n) & 0xffffffffn));
  r.setU32(24, rec.flags >>> 0);
  r.setU32(28, rec.event >>> 0);
  ring.commit(r);
  return true;
}

/** Decode a payload. */
export function decodePerfSigtrap(p: Uint8Array): PerfSigtrapRecord {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const sigData = (BigInt(dv.getUint32(20, true)) << 32n) | BigInt(dv.getUint32(16, true));
  return { pid: dv.getUint32(0, true), type: dv.getUint32(4, true), addr: dv.getFloat64(8, true), sigData, flags: dv.getUint32(24, true), event: dv.getUint32(28, true) };
}

/** `addr=0x10000 type=5 sig_data=0xffff… flags=0 event=3`. */
export function formatPerfSigtrap(r: PerfSigtrapRecord): string {
  return `addr=0x${r.addr.toString(16)} type=${r.type} sig_data=0x${r.sigData.toString(16)} flags=${r.flags} event=${r.event}`;
}

/** Teach this thread's trace printers the perf:sigtrap line (idempotent). */
export function registerPerfSigtrapEvent(): void {
  registerEvent({
    type: PERF_SIGTRAP_EVENT,
    name: 'perf:sigtrap',
    label: 'sigtrap',
    format: (p) => formatPerfSigtrap(decodePerfSigtrap(p)),
    pidOf: (p) => (p.byteLength >= 4 ? new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true) : 0),
  }, { builtin: true });
}
