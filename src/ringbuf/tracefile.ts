// The tracelab trace file (`tracelab record -o FILE`, read by `tracelab report FILE`), in the spirit
// of trace-cmd's trace.dat: a header (cpus, clock, sub-buffer size, event formats), then whole ring
// pages tagged with their CPU, then an end marker. Pure, any thread. The decoder streams, bounds
// every length before it allocates, and turns any corruption into a TraceFileError naming the
// byte offset in the file: it never crashes and never waits for bytes the source will not give.
//
// | offset | size | type   | meaning                                                         |
// |-------:|-----:|--------|-----------------------------------------------------------------|
// | 0      | 8    | bytes  | magic "TLTRACE\0"                                               |
// | 8      | 2    | u16 LE | version = 1                                                     |
// | 10     | 2    | u16 LE | cpus, 1..1024                                                   |
// | 12     | 4    | u32 LE | subbufSize: a power of two in 256..65536 (every page's size)    |
// | 16     | 4    | u32 LE | J: bytes of the JSON block, ≤ 1 MiB                             |
// | 20     | J    | UTF-8  | JSON { clock, events: [{type,name,label?}], comms: [[pid,comm]] } |
// | 20+J   | 0..7 | zero   | padding to a multiple of 8                                      |
// then chunks, each 8-byte aligned:
// | +0     | 4    | u32 LE | tag: 0x45474150 "PAGE" or 0x00444e45 "END\0"                    |
// | +4     | 2    | u16 LE | PAGE: cpu (< cpus); END: 0                                      |
// | +6     | 2    | u16 LE | 0 (reserved)                                                    |
// | +8     | 4    | u32 LE | PAGE: events lost on that cpu before this page; END: page count |
// | +12    | 4    | u32 LE | 0 (reserved)                                                    |
// | +16    | S    | bytes  | PAGE only: the page exactly as consumePage returns it (decodePage) |
// Nothing may follow END. The clock is { name: 'tracelab-mono', unit: 'ns', epochNs } : stamps are
// ns on the recording process's clock (src/shm/clock.ts): stamp + epochNs = CLOCK_MONOTONIC ns.
import { KernelError } from '../errno.js';
import { type DecodedPage, RingFormatError, decodePage } from './decode.js';
import { MAX_SUBBUF, MIN_SUBBUF } from './layout.js';

const MAGIC = [0x54, 0x4c, 0x54, 0x52, 0x41, 0x43, 0x45, 0x00]; // "TLTRACE\0"
export const TRACE_FILE_VERSION = 1;
const TAG_PAGE = 0x45474150;
const TAG_END = 0x00444e45;
const FIXED = 20;
const CHUNK_HDR = 16;
const MAX_JSON = 1 << 20;
const MAX_CPUS = 1024;

/** A malformed trace file: `offset` is the byte in the file where decoding failed. */
export class TraceFileError extends KernelError {
  readonly offset: number;
  constructor(offset: number, what: string) {
    super({ code: 'EINVAL', syscall: 'read_trace_file', path: `offset ${offset}`, detail: what });
    this.name = 'TraceFileError';
    this.offset = offset;
  }
}

/** The header of a trace file. */
export interface TraceFileHeader {
  readonly cpus: number;
  readonly subbufSize: number;
  readonly clock: { readonly name: string; readonly unit: 'ns'; readonly epochNs: string };
  readonly events: readonly { readonly type: number; readonly name: string; readonly label?: string }[];
  /** Saved pid → comm pairs. */
  readonly comms: readonly (readonly [number, string])[];
}

/** What the decoder yields: the header first, then pages, then the end. */
export type TraceFileChunk =
  | { readonly kind: 'header'; readonly header: TraceFileHeader }
  | { readonly kind: 'page'; readonly cpu: number; readonly lostBefore: number; readonly offset: number; readonly page: DecodedPage }
  | { readonly kind: 'end'; readonly pages: number };

/** Encodes a trace file chunk by chunk into `sink`. */
export interface TraceFileWriter {
  page(cpu: number, bytes: Uint8Array, lostBefore: number): void;
  /** Write the end marker; returns the number of pages written. */
  end(): number;
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Start a trace file: write its header to `sink` and return the page writer. */
export function writeTraceFile(sink: (bytes: Uint8Array) => void, header: TraceFileHeader): TraceFileWriter {
  if (!Number.isInteger(header.cpus) || header.cpus < 1 || header.cpus > MAX_CPUS) throw new TraceFileError(10, `cpus must be 1..${MAX_CPUS}`);
  if (!isPow2(header.subbufSize) || header.subbufSize < MIN_SUBBUF || header.subbufSize > MAX_SUBBUF) throw new TraceFileError(12, 'bad subbufSize');
  const json = new TextEncoder().encode(JSON.stringify({ clock: header.clock, events: header.events, comms: header.comms }));
  if (json.byteLength > MAX_JSON) throw new TraceFileError(16, `header JSON of ${json.byteLength} B exceeds ${MAX_JSON}`);
  const head = new Uint8Array(align8(FIXED + json.byteLength));
  const dv = new DataView(head.buffer);
  head.set(MAGIC, 0);
  dv.setUint16(8, TRACE_FILE_VERSION, true);
  dv.setUint16(10, header.cpus, true);
  dv.setUint32(12, header.subbufSize, true);
  dv.setUint32(16, json.byteLength, true);
  head.set(json, FIXED);
  sink(head);
  let pages = 0;
  return {
    page(cpu, bytes, lostBefore) {
      if (bytes.byteLength !== header.subbufSize) throw new RangeError(`page of ${bytes.byteLength} B, the file's pages are ${header.subbufSize} B`);
      if (!Number.isInteger(cpu) || cpu < 0 || cpu >= header.cpus) throw new RangeError(`cpu ${cpu} outside 0..${header.cpus - 1}`);
      const c = new Uint8Array(CHUNK_HDR + bytes.byteLength);
      const v = new DataView(c.buffer);
      v.setUint32(0, TAG_PAGE, true);
      v.setUint16(4, cpu, true);
      v.setUint32(8, Math.min(lostBefore, 0xffffffff) >>> 0, true);
      c.set(bytes, CHUNK_HDR);
      sink(c);
      pages++;
    },
    end() {
      const c = new Uint8Array(CHUNK_HDR);
      const v = new DataView(c.buffer);
      v.setUint32(0, TAG_END, true);
      v.setUint32(8, pages, true);
      sink(c);
      return pages;
    },
  };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Pulls exact byte counts out of a chunked source. */
class ByteSource {
  readonly #it: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  #buf = new Uint8Array(0);
  #pos = 0;
  /** File offset of #buf[#pos]. */
  offset = 0;
  #done = false;

  constructor(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.#it = Symbol.asyncIterator in src ? (src as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]() : (src as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  /** Exactly `n` bytes, or null at a clean end of input (nothing left at all when `n` was asked). */
  async take(n: number): Promise<Uint8Array | null> {
    while (this.#buf.byteLength - this.#pos < n && !this.#done) {
      const r = await this.#it.next();
      if (r.done === true) {
        this.#done = true;
        break;
      }
      const chunk = r.value instanceof Uint8Array ? r.value : new Uint8Array(0);
      const rest = this.#buf.subarray(this.#pos);
      const merged = new Uint8Array(rest.byteLength + chunk.byteLength);
      merged.set(rest, 0);
      merged.set(chunk, rest.byteLength);
      this.#buf = merged;
      this.#pos = 0;
    }
    const have = this.#buf.byteLength - this.#pos;
    if (have < n) {
      if (have === 0) return null;
      throw new TraceFileError(this.offset + have, `truncated: ${n} bytes needed at offset ${this.offset}, ${have} left`);
    }
    const out = this.#buf.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    this.offset += n;
    return out;
  }

  async mustTake(n: number, what: string): Promise<Uint8Array> {
    const at = this.offset;
    const b = await this.take(n);
    if (b === null) throw new TraceFileError(at, `truncated: ${what} expected at offset ${at}`);
    return b;
  }

  async atEnd(): Promise<boolean> {
    return (await this.take(1)) === null;
  }
}

function parseHeaderJson(bytes: Uint8Array, at: number, cpus: number, subbufSize: number): TraceFileHeader {
  let j: unknown;
  try {
    j = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new TraceFileError(at, 'header JSON is not valid UTF-8 JSON');
  }
  const o = j as Partial<TraceFileHeader> | null;
  if (o === null || typeof o !== 'object' || typeof o.clock !== 'object' || o.clock === null || !Array.isArray(o.events) || !Array.isArray(o.comms)) {
    throw new TraceFileError(at, 'header JSON needs { clock, events[], comms[] }');
  }
  for (const e of o.events) {
    if (e === null || typeof e !== 'object' || !Number.isInteger(e.type) || e.type < 1 || e.type > 255 || typeof e.name !== 'string') {
      throw new TraceFileError(at, 'an event format needs { type: 1..255, name }');
    }
  }
  for (const c of o.comms) {
    if (!Array.isArray(c) || c.length !== 2 || !Number.isInteger(c[0]) || typeof c[1] !== 'string') throw new TraceFileError(at, 'comms must be [pid, comm] pairs');
  }
  return { cpus, subbufSize, clock: o.clock, events: o.events, comms: o.comms };
}

/** Decode a trace file from bytes or a stream of chunks (fs.createReadStream). Throws TraceFileError. */
export async function* readTraceFile(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<TraceFileChunk> {
  const s = new ByteSource(src instanceof Uint8Array ? [src] : src);
  const fixed = await s.mustTake(FIXED, 'the file header');
  for (let i = 0; i < MAGIC.length; i++) if (fixed[i] !== MAGIC[i]) throw new TraceFileError(i, 'bad magic: not a tracelab trace file');
  const dv = new DataView(fixed.buffer, fixed.byteOffset, fixed.byteLength);
  const version = dv.getUint16(8, true);
  if (version !== TRACE_FILE_VERSION) throw new TraceFileError(8, `version ${version}, this build reads ${TRACE_FILE_VERSION}`);
  const cpus = dv.getUint16(10, true);
  if (cpus < 1 || cpus > MAX_CPUS) throw new TraceFileError(10, `cpus ${cpus} outside 1..${MAX_CPUS}`);
  const S = dv.getUint32(12, true);
  if (!isPow2(S) || S < MIN_SUBBUF || S > MAX_SUBBUF) throw new TraceFileError(12, `subbufSize ${S} is not a power of two in ${MIN_SUBBUF}..${MAX_SUBBUF}`);
  const J = dv.getUint32(16, true);
  if (J > MAX_JSON) throw new TraceFileError(16, `header JSON length ${J} exceeds ${MAX_JSON}`);
  const json = await s.mustTake(J, 'the header JSON');
  const header = parseHeaderJson(json, FIXED, cpus, S);
  const pad = await s.mustTake(align8(FIXED + J) - FIXED - J, 'header padding');
  if (pad.some((b) => b !== 0)) throw new TraceFileError(FIXED + J, 'non-zero header padding');
  yield { kind: 'header', header };
  let pages = 0;
  for (;;) {
    const at = s.offset;
    const h = await s.mustTake(CHUNK_HDR, 'a PAGE or END chunk');
    const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const tag = v.getUint32(0, true);
    if (v.getUint16(6, true) !== 0 || v.getUint32(12, true) !== 0) throw new TraceFileError(at + 6, 'reserved chunk bytes are not zero');
    if (tag === TAG_END) {
      if (v.getUint16(4, true) !== 0) throw new TraceFileError(at + 4, 'END chunk with a cpu');
      const n = v.getUint32(8, true);
      if (n !== pages) throw new TraceFileError(at + 8, `END counts ${n} pages, the file holds ${pages}`);
      if (!(await s.atEnd())) throw new TraceFileError(at + CHUNK_HDR, 'bytes after the END chunk');
      yield { kind: 'end', pages };
      return;
    }
    if (tag !== TAG_PAGE) throw new TraceFileError(at, `unknown chunk tag 0x${tag.toString(16)}`);
    const cpu = v.getUint16(4, true);
    if (cpu >= cpus) throw new TraceFileError(at + 4, `cpu ${cpu} outside 0..${cpus - 1}`);
    const bytes = await s.mustTake(S, 'a page');
    let page: DecodedPage;
    try {
      page = decodePage(bytes);
    } catch (e) {
      if (e instanceof RingFormatError) throw new TraceFileError(at + CHUNK_HDR + e.offset, `page: ${e.detail ?? e.message}`);
      throw e;
    }
    pages++;
    yield { kind: 'page', cpu, lostBefore: v.getUint32(8, true), offset: at, page };
  }
}
