// Page decoder for copies handed out by consumePage (per_cpu/cpuN/trace_pipe_raw) and for trace
// files: kernel/trace/ring_buffer.c's rb_event_length / ring_buffer_event_data on plain bytes.
// Pure, any thread. Never trusts the bytes: every length is bounded, so it always terminates,
// and anything malformed is a RingFormatError naming the byte offset.
import { KernelError } from '../errno.js';
import {
  ABS_FLAG, CLAIM_OVERWRITTEN, LEN_MASK, OFF_MASK, PAGE_HDR, REC_HDR, ST_DATA, ST_DEAD, ST_PAD,
  ST_SHIFT, TAG_MASK, TAG_SHIFT, TYPE_SHIFT, recBytes, recState,
} from './layout.js';

/** A malformed page: `offset` is the byte offset in the page where decoding failed. */
export class RingFormatError extends KernelError {
  readonly offset: number;
  constructor(offset: number, what: string) {
    super({ code: 'EINVAL', syscall: 'decode', path: `page+0x${offset.toString(16)}`, detail: what });
    this.name = 'RingFormatError';
    this.offset = offset;
  }
}

/** One decoded record of a page. */
export type DecodedRecord =
  | { readonly kind: 'event'; readonly offset: number; readonly type: number; readonly tsNs: number; readonly payload: Uint8Array }
  | { readonly kind: 'padding'; readonly offset: number; readonly bytes: number; readonly deadWriter: boolean };

/** A decoded page: its sequence number, base stamp and records in order. */
export interface DecodedPage {
  readonly seq: number;
  readonly baseTsNs: number;
  /** Bytes of the data area that hold records. */
  readonly dataBytes: number;
  /** Events lost before this page, as consumePage stored it in the copy's header byte 28 (0 in a live page). */
  readonly missedBefore: number;
  readonly records: DecodedRecord[];
}

/** Decode a page copy (PAGE_HDR header then records); throws RingFormatError on any corruption. */
export function decodePage(bytes: Uint8Array): DecodedPage {
  if (!(bytes instanceof Uint8Array)) throw new RingFormatError(0, 'expected a Uint8Array page');
  if (bytes.byteLength < PAGE_HDR) throw new RingFormatError(0, `page of ${bytes.byteLength} B is shorter than its ${PAGE_HDR} B header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const res = dv.getInt32(0, true);
  if (res < 0) throw new RingFormatError(0, `reservation word 0x${(res >>> 0).toString(16)} has bit 31 set`);
  const dataBytes = res & OFF_MASK;
  if (dataBytes % 8 !== 0) throw new RingFormatError(0, `data length ${dataBytes} is not a multiple of 8`);
  if (PAGE_HDR + dataBytes > bytes.byteLength) {
    throw new RingFormatError(0, `data length ${dataBytes} runs past the ${bytes.byteLength} B page`);
  }
  const claim = dv.getInt32(12, true);
  const seq = claim >>> 2;
  if ((claim & 3) === CLAIM_OVERWRITTEN) throw new RingFormatError(12, 'page was overwritten while it was copied');
  if (res >>> TAG_SHIFT !== (seq & TAG_MASK)) throw new RingFormatError(0, `tag ${res >>> TAG_SHIFT} does not match sequence ${seq}`);
  const baseTsNs = dv.getFloat64(16, true);
  if (!Number.isFinite(baseTsNs)) throw new RingFormatError(16, 'base timestamp is not finite');
  const records: DecodedRecord[] = [];
  let off = 0;
  while (off < dataBytes) {
    const at = PAGE_HDR + off;
    if (off + REC_HDR > dataBytes) throw new RingFormatError(at, 'record header runs past the data');
    const w0 = dv.getInt32(at, true);
    const st = recState(w0);
    if ((w0 >>> 28) !== 0) throw new RingFormatError(at, `reserved header bits set in 0x${(w0 >>> 0).toString(16)}`);
    const len = recBytes(w0);
    if (off + len > dataBytes) throw new RingFormatError(at, `record of ${len} B runs past the ${dataBytes} B of data`);
    if (st === ST_PAD || st === ST_DEAD) {
      if ((w0 & ABS_FLAG) !== 0) throw new RingFormatError(at, 'padding with an absolute timestamp');
      records.push({ kind: 'padding', offset: at, bytes: len, deadWriter: st === ST_DEAD });
    } else if (st === ST_DATA) {
      const abs = (w0 & ABS_FLAG) !== 0;
      const tsNs = abs ? dv.getFloat64(at + 8, true) : baseTsNs + dv.getInt32(at + 4, true);
      if (!Number.isFinite(tsNs)) throw new RingFormatError(at + 8, 'absolute timestamp is not finite');
      const start = at + REC_HDR + (abs ? 8 : 0);
      records.push({
        kind: 'event', offset: at, type: (w0 >>> TYPE_SHIFT) & 0xff, tsNs,
        payload: bytes.slice(start, start + (w0 & LEN_MASK)),
      });
    } else {
      throw new RingFormatError(at, `record state ${st} (${st === 1 ? 'uncommitted' : st === 0 ? 'unwritten' : 'unknown'}) in a committed page`);
    }
    off += len;
  }
  return { seq, baseTsNs, dataBytes, missedBefore: dv.getUint32(28, true), records };
}

/** @internal The padding header word for `bytes` of padding (used by page copies). */
export function paddingWord(bytes: number): number {
  return (bytes - REC_HDR) | (ST_PAD << ST_SHIFT);
}
