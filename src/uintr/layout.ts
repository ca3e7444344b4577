// User-interrupt tables in one SAB: the UPID table (one entry per receiver, x86 "User Posted Interrupt
// Descriptor" plus the runtime words our model needs) and one 4 KiB UITT per sender
// (arch/x86/include/asm/uintr.h: struct uintr_upid, struct uintr_uitt_entry). Pure: runs in every thread.
// Concurrency contract: every word below names its writer; senders touch a receiver's UPID only by RMW.
import { defineLayout, type Layout, type Views } from '../shm/layout.js';
import { type SharedWasmMemory, memoryBuffer, sharedMemory } from '../shm/wasm.js';
import { bindUintrFastPath, type UintrFastPath } from './fastpath.js';

/*
 * Byte table. Offsets are relative to the start of each field (see `uintrLayout(r, s).offset`);
 * R = receivers, S = senders. Every field starts 8-aligned (defineLayout).
 *
 * field `params` (i32 × 2) at 8
 * | off | size | type | written by     | read by | meaning                                |
 * |   0 |    4 | i32  | allocate()     | attach  | R, number of UPID entries              |
 * |   4 |    4 | i32  | allocate()     | attach  | S, number of UITTs                     |
 *
 * field `align` (i32 × 12) at 16: padding only, so `upid` starts at byte 64 and every 128-byte UPID entry
 * fills exactly two cache lines (the SAB itself is page-aligned).
 *
 * field `upid` (i32 × 32 × R) at 64: one 128-byte entry per receiver, entry r at byte 64 + r × 128: a hot
 * cache line (words 0..15: what posts and deliveries touch) and a read-mostly one (words 16..31: life)
 * | off | size | type | written by                   | read by          | meaning |
 * |   0 |    4 | i32  | senders (RMW), receiver, sched | senders, receiver | status: bit 0 ON (outstanding notification), bit 1 SN (suppress notification), bit 2 UW (receiver is in uintr_wait; software bit, reserved in hardware) |
 * |   4 |    4 | i32  | receiver                     | diagnostics      | NV, notification vector: 0xec (UINTR_NOTIFICATION_VECTOR) while running, 0xeb (UINTR_KERNEL_VECTOR) while in uintr_wait |
 * |   8 |    4 | i32  | receiver / scheduler         | diagnostics      | NDST, destination CPU (-1 unknown) |
 * |  12 |    4 | —    | —                            | —                | unused (life moved to byte 64 in version 3) |
 * |  16 |    4 | i32  | senders (RMW or), receiver (RMW and) | both     | PIR bits 0..31: posted vectors 0..31 |
 * |  20 |    4 | i32  | senders (RMW or), receiver (RMW and) | both     | PIR bits 32..63: posted vectors 32..63 |
 * |  24 |    4 | i32  | receiver (single writer)     | receiver, diagnostics | UIF, user interrupt flag (0 masked; starts 0) |
 * |  28 |    4 | i32  | senders, canceller (RMW only) | receiver (wait) | wake: sequence word the receiver sleeps on in uintr_wait |
 * |  32 |    4 | i32  | canceller (RMW or), receiver at register | receiver | cancel: non-zero ends any uintr_wait with 'cancelled' |
 * |  36 |    4 | i32  | receiver (single writer)     | receiver         | fd serial counter (last serial handed out by create_fd) |
 * |  40 |    4 | i32  | receiver (single writer)     | diagnostics      | owner tid (who registered; 0 free) |
 * |  44 |    4 | i32  | receiver (single writer, at uintr_wait entry) | senders that saw UW | waker: where the receiver sleeps in uintr_wait: -1 the wake word above; n ≥ 0 the i32 word n of `UintrViews.tasks` (a lab task's WAKE word, which its signals kick too) |
 * |  48 |   16 | —    | —                            | —                | padding to the end of the hot line |
 * |  64 |    4 | i32  | receiver, senders (RMW only) | senders          | life: bit 0 alive, bits 1..15 sender refcount (UITT entries pointing here), bits 16..31 generation |
 * |  68 |   60 | —    | —                            | —                | padding to 128 bytes, so two receivers' hot words never share a cache line |
 *
 * Why life has a cache line of its own, and what it costs: senduipi reads it on every post, and the
 * receiver writes the hot line (ON clear, PIR take) on every delivery. In the hot line, the sender's
 * read would miss on every post and pull the line shared right before its own `or` needs it exclusive
 * (two coherence transfers instead of one). Alone, life changes only at register/unregister and
 * connect/disconnect, so the read hits. Cost: 64 more bytes per receiver.
 *
 * field `vecs` (i32 × 64 × R): receiver r's vector v at byte (r × 64 + v) × 4
 * | off | size | type | written by               | read by           | meaning |
 * | 4v  |    4 | i32  | receiver (single writer) | senders (register) | serial of the open fd for vector v, 0 when no fd |
 *
 * field `sender` (i32 × 4 × S): sender s at byte s × 16
 * | off | size | type | written by                  | read by    | meaning |
 * |   0 |    4 | i32  | claimer (RMW only)          | all        | life: bit 0 claimed, bits 1..31 generation |
 * |   4 |    4 | i32  | owning sender (single writer) | senduipi | UITT present (1 after the first register_sender: RFC init_uitt) |
 * |   8 |    4 | i32  | owning sender (single writer) | diagnostics | valid entries in the UITT |
 * |  12 |    4 | —    | —                           | —          | padding to 16 bytes |
 *
 * field `uitt` (i32 × 1024 × S): 4 KiB per sender, 256 entries of 16 bytes; entry i of sender s at
 * byte s × 4096 + i × 16
 * | off | size | type | written by                  | read by  | meaning |
 * |   0 |    4 | i32  | owning sender (single writer) | senduipi | bit 0 valid, bits 8..13 user vector (0..63) |
 * |   4 |    4 | i32  | owning sender               | senduipi | UPID index of the receiver |
 * |   8 |    4 | i32  | owning sender               | senduipi | receiver generation at connect (a stale entry never hits a new owner) |
 * |  12 |    4 | i32  | owning sender               | diagnostics | fd serial at connect |
 *
 * Why PIR is two Int32 words and not one BigInt64: a post is one `Atomics.or` on the word that holds
 * its bit, with no BigInt allocated on the send path (every BigInt64Array op boxes a BigInt, ~10× a
 * small-int op in V8). PIR is a set of independent bits, so nothing needs both halves at once: the
 * receiver takes one bit at a time (highest first: high word, then low word) with `Atomics.and`.
 * What it costs: a reader that wants "is anything pending" loads two words instead of one.
 */

/** Magic of the uintr region ("UINT"). */
export const UINTR_MAGIC = 0x55494e54;
/** Layout version; bump on any change to the table above. */
export const UINTR_VERSION = 4;

/** Int32 words per UPID entry (128 bytes: a hot line and a read-mostly line). */
export const UPID_WORDS = 32;
/** UPID word: status (ON, SN, UW bits). */
export const U_STATUS = 0;
/** UPID word: notification vector. */
export const U_NV = 1;
/** UPID word: destination CPU. */
export const U_NDST = 2;
/** UPID word: alive bit, sender refcount, generation (second cache line, read-mostly). */
export const U_LIFE = 16;
/** UPID word: PIR vectors 0..31. */
export const U_PIR_LO = 4;
/** UPID word: PIR vectors 32..63. */
export const U_PIR_HI = 5;
/** UPID word: UIF. */
export const U_UIF = 6;
/** UPID word: the wake sequence word for uintr_wait. */
export const U_WAKE = 7;
/** UPID word: the cancel word for uintr_wait. */
export const U_CANCEL = 8;
/** UPID word: fd serial counter. */
export const U_FD_SERIAL = 9;
/** UPID word: owner tid. */
export const U_OWNER = 10;
/** UPID word: where uintr_wait sleeps (-1: U_WAKE; n ≥ 0: word n of `UintrViews.tasks`). */
export const U_WAKER = 11;
/** U_WAKER value: the receiver sleeps on its UPID's own wake word. */
export const WAKER_UPID = -1;

/** Status bit: outstanding notification. */
export const ON = 1 << 0;
/** Status bit: suppress notification (receiver descheduled). */
export const SN = 1 << 1;
/** Status bit (software): receiver is blocked in uintr_wait; SN is never set while it is. */
export const UW = 1 << 2;

/** life word: alive bit. */
export const LIFE_ALIVE = 1;
/** life word: one sender reference. */
export const LIFE_REF = 2;
/** life word: refcount mask (bits 1..15). */
export const LIFE_REFS_MASK = 0xfffe;
/** Most UITT entries that may point at one UPID. */
export const MAX_REFS = LIFE_REFS_MASK / LIFE_REF;
/** life word: generation shift (bits 16..31). */
export const LIFE_GEN_SHIFT = 16;

/** NV while running: the user notification vector (arch/x86/include/asm/irq_vectors.h). */
export const UINTR_NOTIFICATION_VECTOR = 0xec;
/** NV while in uintr_wait: the kernel vector that wakes a blocked receiver. */
export const UINTR_KERNEL_VECTOR = 0xeb;

/** Vectors per receiver (0..63). */
export const UINTR_VECTORS = 64;

/** Int32 words per sender header. */
export const SENDER_WORDS = 4;
/** Sender word: claimed bit and generation. */
export const S_LIFE = 0;
/** Sender word: UITT present. */
export const S_UITT = 1;
/** Sender word: valid entries. */
export const S_COUNT = 2;

/** UITT bytes per sender, fixed as in the RFC. */
export const UITT_BYTES = 4096;
/** Bytes per UITT entry. */
export const UITTE_BYTES = 16;
/** Entries per UITT (4096 / 16). */
export const UITT_ENTRIES = UITT_BYTES / UITTE_BYTES;
/** Int32 words per UITT entry. */
export const UITTE_WORDS = UITTE_BYTES / 4;
/** UITT entry word: valid bit and vector. */
export const E_FLAGS = 0;
/** UITT entry word: UPID index. */
export const E_UPID = 1;
/** UITT entry word: receiver generation at connect. */
export const E_GEN = 2;
/** UITT entry word: fd serial at connect. */
export const E_SERIAL = 3;
/** Entry flags: valid bit. */
export const E_VALID = 1;
/** Entry flags: shift of the user vector. */
export const E_VECTOR_SHIFT = 8;

/** Most receivers / senders one table may hold (keeps every index a small int). */
export const MAX_TABLE_SLOTS = 4096;

type UintrField = 'params' | 'align' | 'upid' | 'vecs' | 'sender' | 'uitt';

/** The layout of a table with `receivers` UPIDs and `senders` UITTs. */
export type UintrLayout = Layout<UintrField>;

const cache = new Map<string, UintrLayout>();

/** The (cached) layout for the given table size. */
export function uintrLayout(receivers: number, senders: number): UintrLayout {
  checkCount('receivers', receivers);
  checkCount('senders', senders);
  const key = `${receivers}/${senders}`;
  let l = cache.get(key);
  if (l === undefined) {
    l = defineLayout<UintrField>('uintr', UINTR_MAGIC, UINTR_VERSION, {
      params: { kind: 'i32', count: 2 },
      align: { kind: 'i32', count: 12 },
      upid: { kind: 'i32', count: receivers * UPID_WORDS },
      vecs: { kind: 'i32', count: receivers * UINTR_VECTORS },
      sender: { kind: 'i32', count: senders * SENDER_WORDS },
      uitt: { kind: 'i32', count: senders * (UITT_BYTES / 4) },
    });
    cache.set(key, l);
  }
  return l;
}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_TABLE_SLOTS) {
    throw new RangeError(`uintr: ${what} must be a whole number in 1..${MAX_TABLE_SLOTS}, got ${n}`);
  }
}

/** Views over a uintr region plus the precomputed base indices every operation needs. */
export interface UintrViews {
  readonly views: Views;
  readonly i32: Int32Array;
  readonly receivers: number;
  readonly senders: number;
  /** i32 index of UPID entry 0. */
  readonly upidBase: number;
  /** i32 index of receiver 0's vector 0 fd serial. */
  readonly vecsBase: number;
  /** i32 index of sender 0's header. */
  readonly senderBase: number;
  /** i32 index of sender 0's UITT entry 0. */
  readonly uittBase: number;
  /**
   * The lab's process table (Int32 view), in task threads: a receiver that is a lab task sleeps in
   * uintr_wait on its task WAKE word there (U_WAKER), so signals wake it too. Undefined elsewhere.
   */
  readonly tasks: Int32Array | undefined;
  /** The shared WebAssembly memory the table lives in; undefined for a table attached by its SAB alone. */
  readonly memory: SharedWasmMemory | undefined;
  /** senduipi's post and poll's atomic steps in WebAssembly (fastpath.wat), when `memory` is known. */
  readonly fast: UintrFastPath | undefined;
}

function wrap(views: Views, l: UintrLayout, receivers: number, senders: number, memory: SharedWasmMemory | undefined): UintrViews {
  return {
    views,
    i32: views.i32,
    receivers,
    senders,
    upidBase: l.index.upid,
    vecsBase: l.index.vecs,
    senderBase: l.index.sender,
    uittBase: l.index.uitt,
    tasks: undefined,
    memory,
    fast: memory === undefined ? undefined : bindUintrFastPath(memory),
  };
}

/** Allocate a zeroed table: every UPID free, every UITT absent. */
export function allocateUintr(receivers: number, senders: number): UintrViews {
  const l = uintrLayout(receivers, senders);
  // In a shared WebAssembly memory (its buffer is a SharedArrayBuffer), so that senduipi and poll
  // can run their atomics in fastpath.wat; the slack past the table (< 64 KiB) is never touched.
  const memory = sharedMemory(l.BYTES);
  const views = l.allocateIn(memoryBuffer(memory));
  // The SAB reaches other threads only by postMessage/workerData after this returns, which orders
  // these stores before any attach.
  Atomics.store(views.i32, l.index.params, receivers); // publish: read only by attach
  Atomics.store(views.i32, l.index.params + 1, senders); // publish
  return wrap(views, l, receivers, senders, memory);
}

/**
 * Attach to a table made by `allocateUintr`, checking magic, version, size and the recorded counts.
 * With its `memory` (the handle carries it) the hot paths run in WebAssembly; with the SAB alone
 * they run as Atomics calls on the same words, and both kinds of attachment interoperate.
 */
export function attachUintr(sab: SharedArrayBuffer, receivers: number, senders: number, memory?: SharedWasmMemory): UintrViews {
  const l = uintrLayout(receivers, senders);
  const views = l.attach(memory === undefined ? sab : memoryBuffer(memory));
  const r = Atomics.load(views.i32, l.index.params); // acquire: published before the SAB was shared
  const s = Atomics.load(views.i32, l.index.params + 1); // acquire
  if (r !== receivers || s !== senders) {
    throw new RangeError(`uintr: table holds ${r} receivers / ${s} senders, handle says ${receivers} / ${senders}`);
  }
  return wrap(views, l, receivers, senders, memory);
}

/** i32 index of word `w` of UPID `upid`. */
export function upidWord(v: UintrViews, upid: number, w: number): number {
  return v.upidBase + upid * UPID_WORDS + w;
}

/** i32 index of sender `s`'s header word `w`. */
export function senderWord(v: UintrViews, s: number, w: number): number {
  return v.senderBase + s * SENDER_WORDS + w;
}

/** i32 index of word `w` of entry `i` of sender `s`'s UITT. */
export function uitteWord(v: UintrViews, s: number, i: number, w: number): number {
  return v.uittBase + s * (UITT_BYTES / 4) + i * UITTE_WORDS + w;
}
