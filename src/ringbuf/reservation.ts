// A reservation: the bytes one writer owns between reserve and commit (LTTng's ctx->buf_offset).
// Created once per writer and reused, so the write path allocates nothing. Its five numbers are
// the whole contract, so a task that migrates can hand them to another thread to commit.
// Every set* checks that its bytes lie inside the payload (EINVAL otherwise), so a stray offset
// cannot overwrite the next record's header; the raw path (reserveRaw/commitRaw) is unchecked.
import { kerr } from '../errno.js';

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The plain, structured-clonable part of a reservation: enough for any thread to commit it. */
export interface ReservationRef {
  /** CPU whose buffer holds the record. */
  readonly cpu: number;
  /** Byte offset of the record header in the data SAB (page and bank follow from it). */
  readonly offset: number;
  /** Header word 0 to publish at commit (state bits are added by commit). */
  readonly h0: number;
  /** Header word 1 to publish at commit (the time delta, or 0 with an absolute stamp). */
  readonly h1: number;
}

/** A live reservation with typed little-endian access to its payload bytes. */
export class Reservation implements ReservationRef {
  cpu = 0;
  offset = 0;
  h0 = 0;
  h1 = 0;
  /** Bank (0 live at reserve time, or 1 with a spare) the record was reserved in. */
  bank = 0;
  /** Byte offset of the payload in the data SAB. */
  payloadOffset = 0;
  /** Payload bytes the writer asked for. */
  payloadLength = 0;
  /** Timestamp of the record, ns on the ring's clock. */
  tsNs = 0;

  /** Int32 view of the data SAB, for aligned stores. */
  readonly i32: Int32Array;
  /** Float64 view of the data SAB, for aligned stores. */
  readonly f64: Float64Array;
  /** @internal Built by RingBuffer; `u8`/`dv` view the data region (offsets are relative to it). */
  constructor(readonly u8: Uint8Array, readonly dv: DataView) {
    this.i32 = new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >> 2);
    this.f64 = new Float64Array(u8.buffer, u8.byteOffset, u8.byteLength >> 3);
  }

  // Why two tests in one branch: `at >>> 0 !== at` refuses negative, fractional and NaN offsets
  // (NaN would reach DataView as offset 0 of the data region), the second refuses bytes past the
  // payload. Both are integer compares on the write path; the throw is out of line.
  /** Store a byte at payload offset `at`. Throws EINVAL unless 0 ≤ at < payloadLength. */
  setU8(at: number, v: number): void {
    if (at >>> 0 !== at || at + 1 > this.payloadLength) outside(this, 'setU8', at, 1);
    this.u8[this.payloadOffset + at] = v;
  }
  /** Store a little-endian u32 at payload offset `at`. Throws EINVAL unless 0 ≤ at, at + 4 ≤ payloadLength. */
  setU32(at: number, v: number): void {
    if (at >>> 0 !== at || at + 4 > this.payloadLength) outside(this, 'setU32', at, 4);
    const o = this.payloadOffset + at;
    if ((o & 3) === 0 && LITTLE_ENDIAN) this.i32[o >> 2] = v; // aligned fast path (payloads start 8-aligned)
    else this.dv.setUint32(o, v, true);
  }
  /** Store a little-endian i32 at payload offset `at`. Throws EINVAL unless 0 ≤ at, at + 4 ≤ payloadLength. */
  setI32(at: number, v: number): void {
    if (at >>> 0 !== at || at + 4 > this.payloadLength) outside(this, 'setI32', at, 4);
    const o = this.payloadOffset + at;
    if ((o & 3) === 0 && LITTLE_ENDIAN) this.i32[o >> 2] = v;
    else this.dv.setInt32(o, v, true);
  }
  /** Store a little-endian f64 at payload offset `at`. Throws EINVAL unless 0 ≤ at, at + 8 ≤ payloadLength. */
  setF64(at: number, v: number): void {
    if (at >>> 0 !== at || at + 8 > this.payloadLength) outside(this, 'setF64', at, 8);
    const o = this.payloadOffset + at;
    if ((o & 7) === 0 && LITTLE_ENDIAN) this.f64[o >> 3] = v;
    else this.dv.setFloat64(o, v, true);
  }
  /** Copy `src` into the payload at offset `at`. Throws EINVAL unless 0 ≤ at, at + src.byteLength ≤ payloadLength. */
  setBytes(at: number, src: Uint8Array): void {
    if (at >>> 0 !== at || at + src.byteLength > this.payloadLength) outside(this, 'setBytes', at, src.byteLength);
    this.u8.set(src, this.payloadOffset + at);
  }
  /** A plain copy for postMessage / another thread's `commit` (allocates; not for the hot path). */
  toRef(): ReservationRef {
    return { cpu: this.cpu, offset: this.offset, h0: this.h0, h1: this.h1 };
  }
}

function outside(r: Reservation, method: string, at: number, size: number): never {
  throw kerr('EINVAL', method, 'at', `${size} B at offset ${String(at)} is outside the ${r.payloadLength} B payload; write at whole offsets with at + ${size} ≤ ${r.payloadLength}`);
}
