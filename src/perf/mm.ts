// A process's simulated address space (its mm) plus its perf fd table, in one SAB shared by the
// threads of the process. Fork copies it (copyMm), exec resets it in place (resetMm). Allocations
// are bump-allocated and never freed, so they tile [USER_BASE, USER_BASE + brk): an address is
// inside an allocation exactly when it is below brk. Any thread of the process reads and writes it.
import { defineLayout, type Views } from '../shm/layout.js';
import { PERF_FDS } from './abi.js';

/** Allocation granule: sizes round up to it, like malloc's usable size. */
export const MM_ALIGN = 8;
/** Default heap bytes of a process. */
export const MM_DEFAULT_BYTES = 1 << 20;

/*
 * | field   | kind        | written by                         | read by            | meaning                               |
 * |---------|-------------|------------------------------------|--------------------|---------------------------------------|
 * | params  | i32 × 2     | allocator                          | attach             | [heap bytes, 0]                       |
 * | brk     | i32 × 2     | any thread (compareExchange)       | any thread         | [bytes allocated, allocations]        |
 * | fds     | i32 × PERF_FDS | any thread of the process (CAS) | the process        | perf fd table: event id + 1, 0 = free |
 * | fdflags | i32 × PERF_FDS | fd's creator                    | exec               | bit 0 = O_CLOEXEC                     |
 * | heap    | f64 × bytes/8 | the program (plain stores)       | the program        | the bytes; f64 only to place it 8-aligned |
 */
export function mmLayout(heapBytes: number) {
  return defineLayout('mm', 0x4d4d4d4d /* 'MMMM' */, 1, {
    params: { kind: 'i32', count: 2 },
    brk: { kind: 'i32', count: 2 },
    fds: { kind: 'i32', count: PERF_FDS },
    fdflags: { kind: 'i32', count: PERF_FDS },
    heap: { kind: 'f64', count: heapBytes / 8 },
  });
}

/** An attached mm. */
export interface MmShm {
  readonly views: Views;
  readonly i32: Int32Array;
  readonly heapBytes: number;
  /** Byte offset of the heap in the SAB. */
  readonly heapOffset: number;
  readonly brkIndex: number;
  readonly nallocIndex: number;
  readonly fdIndex: number;
  readonly fdFlagsIndex: number;
}

function wrap(views: Views, heapBytes: number): MmShm {
  const L = mmLayout(heapBytes);
  return {
    views,
    i32: views.i32,
    heapBytes,
    heapOffset: L.offset.heap,
    brkIndex: L.index.brk,
    nallocIndex: L.index.brk + 1,
    fdIndex: L.index.fds,
    fdFlagsIndex: L.index.fdflags,
  };
}

/** A fresh, empty address space of `heapBytes` (a multiple of 8). */
export function allocateMm(heapBytes = MM_DEFAULT_BYTES): MmShm {
  if (!Number.isInteger(heapBytes) || heapBytes <= 0 || heapBytes % 8 !== 0 || heapBytes > 2 ** 30) {
    throw new RangeError(`heapBytes must be a positive multiple of 8 up to 1 GiB, got ${String(heapBytes)}`);
  }
  const L = mmLayout(heapBytes);
  const views = L.allocate();
  views.i32[L.index.params] = heapBytes;
  return wrap(views, heapBytes);
}

/** Attach an mm made by allocateMm or copyMm. */
export function attachMm(sab: SharedArrayBuffer): MmShm {
  const heapBytes = new Int32Array(sab, 0, 4)[2]!;
  return wrap(mmLayout(heapBytes).attach(sab), heapBytes);
}

/** fork(): a private copy of every byte (heap, brk, fd table). The caller bumps the fds' refs. */
export function copyMm(src: MmShm): MmShm {
  const sab = new SharedArrayBuffer(src.views.sab.byteLength);
  // Copy up to brk only: the rest is still zero in both.
  const brk = Atomics.load(src.i32, src.brkIndex); // acquire: allocations published before
  new Uint8Array(sab, 0, src.heapOffset + brk).set(new Uint8Array(src.views.sab, 0, src.heapOffset + brk));
  return attachMm(sab);
}

/** The perf fds of an mm: [fd index, event id] pairs. */
export function mmFds(mm: MmShm): Array<{ index: number; event: number; cloexec: boolean }> {
  const out: Array<{ index: number; event: number; cloexec: boolean }> = [];
  for (let i = 0; i < PERF_FDS; i++) {
    const v = Atomics.load(mm.i32, mm.fdIndex + i); // acquire: the opener's store
    if (v > 0) out.push({ index: i, event: v - 1, cloexec: (Atomics.load(mm.i32, mm.fdFlagsIndex + i) & 1) !== 0 });
  }
  return out;
}

/** exec(): forget every allocation and zero the bytes that were in use. Fds stay (the caller closes CLOEXEC ones). */
export function resetMm(mm: MmShm): void {
  const brk = Atomics.load(mm.i32, mm.brkIndex);
  new Uint8Array(mm.views.sab, mm.heapOffset, brk).fill(0);
  Atomics.store(mm.i32, mm.nallocIndex, 0);
  Atomics.store(mm.i32, mm.brkIndex, 0); // publish: the bytes were zeroed first
}
