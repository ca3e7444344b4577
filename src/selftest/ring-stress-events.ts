// The checkable event of `tracelab stress ring` and its sequence verifier (ringbuf.js-style):
// payload = writerId u32 | cpu u32 | seq u32 | checksum u32 | filler, little endian.
// Pure; runs in the writer workers (encode) and the reader (verify).
import type { Reservation } from '../ringbuf/index.js';

/** Event type of stress events (a user type, above the built-ins). */
export const STRESS_EVENT_TYPE = 200;
/** Smallest payload that carries the identity fields. */
export const STRESS_EVENT_MIN = 16;
const MIN = STRESS_EVENT_MIN;

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193) >>> 0;
}

/** The filler byte at payload offset `i` of event `seq`. */
export function filler(seq: number, i: number): number {
  return (seq * 31 + i * 7) & 0xff;
}

/** Checksum over identity, length and filler (FNV-style). */
export function checksum(w: number, cpu: number, seq: number, len: number): number {
  let h = mix(mix(mix(mix(0x811c9dc5, w), cpu), seq), len);
  for (let i = MIN; i < len; i++) h = mix(h, filler(seq, i));
  return h;
}

/** Fill a reservation with a checkable event. */
export function encodeStressEvent(r: Reservation, writerId: number, cpu: number, seq: number): void {
  const len = r.payloadLength;
  r.setU32(0, writerId);
  r.setU32(4, cpu);
  r.setU32(8, seq);
  r.setU32(12, checksum(writerId, cpu, seq, len));
  for (let i = MIN; i < len; i++) r.setU8(i, filler(seq, i));
}

/** The same event written through the raw path: `off` is reserveRaw's payload offset in `bytes` (the ring's dataU8). */
export function encodeStressEventRaw(bytes: Uint8Array, view: DataView, off: number, len: number, writerId: number, cpu: number, seq: number): void {
  view.setUint32(off, writerId, true);
  view.setUint32(off + 4, cpu, true);
  view.setUint32(off + 8, seq, true);
  view.setUint32(off + 12, checksum(writerId, cpu, seq, len), true);
  for (let i = MIN; i < len; i++) bytes[off + i] = filler(seq, i);
}

/** Checks every event: intact (checksum, filler), on the CPU it was written for, seq strictly rising per (writer, cpu). */
export class StressVerifier {
  readonly #last = new Map<number, number>();
  readonly errors: string[] = [];
  events = 0;

  add(p: Uint8Array, len: number, readCpu: number): void {
    this.events++;
    if (len < MIN) return void this.errors.push(`torn: payload of ${len} B`);
    const dv = new DataView(p.buffer, p.byteOffset, len);
    const w = dv.getUint32(0, true);
    const cpu = dv.getUint32(4, true);
    const seq = dv.getUint32(8, true);
    if (dv.getUint32(12, true) !== checksum(w, cpu, seq, len)) return void this.errors.push(`torn: writer ${w} cpu ${cpu} seq ${seq} bad checksum`);
    for (let i = MIN; i < len; i++) if (p[i] !== filler(seq, i)) return void this.errors.push(`torn: writer ${w} seq ${seq} filler at ${i}`);
    if (cpu !== readCpu) this.errors.push(`writer ${w} seq ${seq} for cpu ${cpu} read on cpu ${readCpu}`);
    const key = w * 4096 + cpu;
    const last = this.#last.get(key) ?? -1;
    if (seq <= last) this.errors.push(`writer ${w} cpu ${cpu}: seq ${seq} after ${last}`);
    this.#last.set(key, seq);
  }
}
