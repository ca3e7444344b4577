// ctx.mem: a task's loads and stores on its process's simulated address space (src/perf/mm.ts),
// with hardware-watchpoint semantics: an access that hits an armed breakpoint traps after it
// completes and before it returns (x86 data breakpoints are traps), so the SIGTRAP handler has run
// when load/store returns. Runs in the task's own worker; the bytes are shared with its threads.
//
// Fast path, why and what it costs: a bounds check against a cached brk (a plain field, no shared
// load), the typed-array access, and the armed-window check `off < WHI && off >= WLO` on two
// words of this task's perf block (src/perf/layout.ts) read through a length-2 view at constant
// indices. With nothing armed WHI is 0, so it is one load and one compare, as the single WATCH
// word it replaced was; with a watchpoint armed elsewhere it is one more load and compare, where
// the WATCH design needed a generation compare and a cached window in three fields, re-loaded
// after every store (measured: armed load+store 4.96× → ~3.9× the raw loop). Only an access
// inside the window calls into perf, which checks the breakpoints exactly under the seqcount.
// brk only grows until exec, so a stale cache errs towards the slow path, which re-reads it.
// The window words are stale-ok for the one access racing an ioctl from another thread (the
// kernel's IPI would have made that ioctl synchronous); this thread's own ioctls are always seen.
// Atomics.load would be the textbook acquire, but it costs ~5× a plain load here (measured).
import { kerr } from '../errno.js';
import { BUS_ADRALN, HW_BREAKPOINT, SEGV_MAPERR, SIGBUS, SIGSEGV, USER_BASE as IMPORTED_BASE } from '../perf/abi.js';
import { MM_ALIGN, resetMm, type MmShm } from '../perf/mm.js';

/** What the perf side does for the memory: breakpoint checks and faults. */
export interface MemHooks {
  /** An access [addr, addr+size) of `kind` (HW_BREAKPOINT_R/W/RW/X) completed inside the armed window. */
  watch(addr: number, size: number, kind: number): void;
  /** Force a fault signal on this task; `fatal` when the same access faults a second time. */
  fault(sig: number, code: number, addr: number, fatal: boolean): void;
}

// A module-local copy: an imported binding is a live cell V8 re-loads on every access (~0.8 ns measured).
const USER_BASE = IMPORTED_BASE;
const R = HW_BREAKPOINT.R;
const W = HW_BREAKPOINT.W;
const RMW = HW_BREAKPOINT.RW;
const U64_MASK = (1n << 64n) - 1n;

/** A task's view of its address space. Addresses are plain numbers (user space is below 2^47). */
export class TaskMem {
  // The views are `declare`d (no class-field definition): their one store is the constructor's,
  // so V8 tracks them as constant fields and, for a known TaskMem, folds the view, its map, length
  // and data pointer into the code instead of re-loading and re-checking them on every access
  // (measured: load32+store32 with no events 4.1× → 3.3× a raw loop). A `#private` or defined
  // field starts as undefined and is written again, so it is never constant.
  readonly #mm: MmShm;
  declare private readonly heapU8: Uint8Array;
  declare private readonly heapU16: Uint16Array;
  declare private readonly heapU32: Uint32Array;
  declare private readonly heapI32: Int32Array;
  declare private readonly heapU64: BigUint64Array;
  /** The task's armed window [WLO, WHI) in heap offsets (src/perf/layout.ts); [0, 0) when nothing is armed. */
  declare private readonly win: Int32Array;
  readonly #hooks: MemHooks;
  /** Cached brk: bytes known to be allocated (only grows until exec), and it over 2, 4 and 8 (#setLim). */
  #lim1 = 0;
  #lim2 = 0;
  #lim4 = 0;
  #lim8 = 0;

  /** @internal Built by the task's perf context. `win` is a length-2 view of the task's [WLO, WHI] words. */
  constructor(mm: MmShm, win: Int32Array, hooks: MemHooks) {
    this.#mm = mm;
    const sab = mm.views.sab;
    const off = mm.heapOffset;
    const n = mm.heapBytes;
    this.heapU8 = new Uint8Array(sab, off, n);
    this.heapU16 = new Uint16Array(sab, off, n / 2);
    this.heapU32 = new Uint32Array(sab, off, n / 4);
    this.heapI32 = new Int32Array(sab, off, n / 4);
    this.heapU64 = new BigUint64Array(sab, off, n / 8);
    this.win = win;
    this.#hooks = hooks;
  }

  /** Allocate `size` bytes (rounded up to 8, zeroed); returns the address. ENOMEM when the heap is full. */
  alloc(size: number): number {
    if (!Number.isInteger(size) || size < 0) throw kerr('EINVAL', 'malloc', undefined, `size must be a whole number ≥ 0, got ${String(size)}`);
    const bytes = Math.max(MM_ALIGN, Math.ceil(size / MM_ALIGN) * MM_ALIGN);
    const i32 = this.#mm.i32;
    for (;;) {
      const brk = Atomics.load(i32, this.#mm.brkIndex); // acquire
      if (brk + bytes > this.#mm.heapBytes) throw kerr('ENOMEM', 'malloc', undefined, `${bytes} bytes do not fit: ${this.#mm.heapBytes - brk} of ${this.#mm.heapBytes} left`);
      if (Atomics.compareExchange(i32, this.#mm.brkIndex, brk, brk + bytes) === brk) { // RMW only: threads allocate concurrently
        Atomics.add(i32, this.#mm.nallocIndex, 1);
        if (brk + bytes > this.#lim1) this.#setLim(brk + bytes);
        return USER_BASE + brk;
      }
    }
  }

  /** Bytes allocated so far in this address space. */
  get brk(): number {
    return Atomics.load(this.#mm.i32, this.#mm.brkIndex);
  }

  // The bounds and alignment checks are one unsigned compare: `off` rotated right by log2(size)
  // moves misaligned low bits to the top, so the result is below brk/size only when off is in
  // [0, brk) and aligned, and it is then the element index (rorl, cmp, jae where three compares
  // and a shift were: measured load32+store32 with no events 3.2× → 2.9× the raw loop). The
  // rotate works on the int32 of `off`, so `addr === (addr | 0)` sends every address that is not
  // an int32 (fractions, ≥ 2^31, non-numbers) to the slow path; V8 folds it away for int32 addr.
  load8(addr: number): number {
    const off = addr - USER_BASE;
    const i = off >>> 0;
    if (i < (this.#lim1 >>> 0) && addr === (addr | 0)) {
      const v = this.heapU8[i]!;
      if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, 1, R);
      return v;
    }
    return this.#retry(addr, 1) ? this.load8(addr) : 0;
  }

  load16(addr: number): number {
    const off = addr - USER_BASE;
    const i = ((off >>> 1) | (off << 31)) >>> 0;
    if (i < (this.#lim2 >>> 0) && addr === (addr | 0)) {
      const v = this.heapU16[i]!;
      if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, 2, R);
      return v;
    }
    return this.#retry(addr, 2) ? this.load16(addr) : 0;
  }

  load32(addr: number): number {
    const off = addr - USER_BASE;
    const i = ((off >>> 2) | (off << 30)) >>> 0;
    if (i < (this.#lim4 >>> 0) && addr === (addr | 0)) {
      const v = this.heapU32[i]!;
      if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, 4, R);
      return v;
    }
    return this.#retry(addr, 4) ? this.load32(addr) : 0;
  }

  load64(addr: number): bigint {
    const off = addr - USER_BASE;
    const i = ((off >>> 3) | (off << 29)) >>> 0;
    if (i < (this.#lim8 >>> 0) && addr === (addr | 0)) {
      const v = this.heapU64[i]!;
      if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, 8, R);
      return v;
    }
    return this.#retry(addr, 8) ? this.load64(addr) : 0n;
  }

  store8(addr: number, v: number): void {
    const off = addr - USER_BASE;
    const i = off >>> 0;
    if (i < (this.#lim1 >>> 0) && addr === (addr | 0)) {
      this.heapU8[i] = v;
      if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, 1, W);
      return;
    }
    if (this.#retry(addr, 1)) this.store8(addr, v);
  }

  store16(addr: number, v: number): void {
    const off = addr - USER_BASE;
    const i = ((off >>> 1) | (off << 31)) >>> 0;
    if (i < (this.#lim2 >>> 0) && addr === (addr | 0)) {
      this.heapU16[i] = v;
      if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, 2, W);
      return;
    }
    if (this.#retry(addr, 2)) this.store16(addr, v);
  }

  store32(addr: number, v: number): void {
    const off = addr - USER_BASE;
    const i = ((off >>> 2) | (off << 30)) >>> 0;
    if (i < (this.#lim4 >>> 0) && addr === (addr | 0)) {
      this.heapU32[i] = v;
      if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, 4, W);
      return;
    }
    if (this.#retry(addr, 4)) this.store32(addr, v);
  }

  store64(addr: number, v: bigint | number): void {
    const off = addr - USER_BASE;
    const i = ((off >>> 3) | (off << 29)) >>> 0;
    if (i < (this.#lim8 >>> 0) && addr === (addr | 0)) {
      this.heapU64[i] = typeof v === 'bigint' ? v & U64_MASK : BigInt.asUintN(64, BigInt(v));
      if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, 8, W);
      return;
    }
    if (this.#retry(addr, 8)) this.store64(addr, v);
  }

  /** Atomic fetch-and-add on a u32 (lock add): one read-modify-write access; returns the old value. */
  fetchAdd32(addr: number, v: number): number {
    const off = this.#check(addr, 4);
    const old = Atomics.add(this.heapI32, off >> 2, v) >>> 0; // RMW only: the program's own shared word
    this.#watched(addr, 4, RMW);
    return old;
  }

  /** Atomic compare-and-exchange on a u32 (lock cmpxchg); returns the old value. */
  compareExchange32(addr: number, expected: number, replacement: number): number {
    const off = this.#check(addr, 4);
    const old = Atomics.compareExchange(this.heapI32, off >> 2, expected | 0, replacement | 0) >>> 0; // RMW only
    this.#watched(addr, 4, RMW);
    return old;
  }

  /** A sequentially consistent u32 load (for flags other threads of the process set). */
  atomicLoad32(addr: number): number {
    const off = this.#check(addr, 4);
    const v = Atomics.load(this.heapI32, off >> 2) >>> 0; // acquire
    this.#watched(addr, 4, R);
    return v;
  }

  /** A sequentially consistent u32 store. */
  atomicStore32(addr: number, v: number): void {
    const off = this.#check(addr, 4);
    Atomics.store(this.heapI32, off >> 2, v | 0); // publish
    this.#watched(addr, 4, W);
  }

  /** Execute the instruction at `addr` (an instruction fetch of 1 byte): X breakpoints fire. */
  fetch(addr: number): void {
    this.#check(addr, 1);
    this.#watched(addr, 1, HW_BREAKPOINT.X);
  }

  // For the accesses off the hot path (atomics, fetch): the same window check as the inline one.
  #watched(addr: number, size: number, kind: number): void {
    const off = addr - USER_BASE;
    if (off < this.win[1]! && off >= this.win[0]!) this.#hooks.watch(addr, size, kind);
  }

  /** @internal exec(): the address space is empty again. */
  reset(): void {
    resetMm(this.#mm);
    this.#setLim(0);
  }

  // brk is a multiple of 8 (MM_ALIGN), so each limit is exact.
  #setLim(brk: number): void {
    this.#lim1 = brk;
    this.#lim2 = brk >>> 1;
    this.#lim4 = brk >>> 2;
    this.#lim8 = brk >>> 3;
  }

  // A checked offset for the atomics (slow path included).
  #check(addr: number, size: number): number {
    for (let second = false; ; second = true) {
      const off = addr - USER_BASE;
      if (off >= 0 && off + size <= this.#lim1 && off % size === 0) return off;
      if (!this.#fault(addr, size, second)) return this.#check(addr, size);
    }
  }

  // The slow path of an access that missed the cached bounds: refresh brk, fault if really bad.
  // Returns true when the access should be redone (brk grew, or a handler ran for the first fault).
  #retry(addr: number, size: number): boolean {
    return !this.#fault(addr, size, false) || !this.#fault(addr, size, true);
  }

  // False when the access is valid after refreshing brk; otherwise fault (a handler may return: true).
  #fault(addr: number, size: number, second: boolean): boolean {
    this.#setLim(Atomics.load(this.#mm.i32, this.#mm.brkIndex)); // acquire: other threads' allocations
    const off = addr - USER_BASE;
    const inside = Number.isInteger(addr) && off >= 0 && off + size <= this.#lim1;
    if (inside && off % size === 0) return false;
    if (inside) this.#hooks.fault(SIGBUS, BUS_ADRALN, addr, second);
    else this.#hooks.fault(SIGSEGV, SEGV_MAPERR, addr, second);
    return true;
  }
}
