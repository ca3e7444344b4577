// The views and derived geometry every ring role shares (writer, reader, stats, repair, swap).
// Runs in any thread that attached the ring. Immutable after construction; holds no per-event state.
import { type SharedWasmMemory, memoryBuffer } from '../shm/wasm.js';
import {
  BANK_WORDS, CPU_WORDS, PAGE_HDR, ctlLayout, dataBytes, type RingParams,
} from './layout.js';

/** Shared views plus the shifts and masks of one ring's geometry. */
export interface RingCore {
  readonly params: RingParams;
  /** The ring's shared memory (the writer's WebAssembly fast path runs on it). */
  readonly memory: SharedWasmMemory;
  /** Byte offset of the data region in `memory`: add it to a data offset to get a memory address. */
  readonly dataOff: number;
  /** Control words (Int32 from byte 0 of the memory). */
  readonly ctl: Int32Array;
  /** Views of the data region (index 0 is the first page's first word). */
  readonly d32: Int32Array;
  readonly d64: Float64Array;
  readonly u8: Uint8Array;
  /** Data-area capacity of one page (subbufSize - PAGE_HDR). */
  readonly cap: number;
  readonly logS: number;
  readonly logN: number;
  readonly nMask: number;
  readonly banks: number;
  readonly discard: boolean;
  /** i32 index of the params block, the first CPU block and the first bank block in `ctl`. */
  readonly paramsIdx: number;
  readonly cpuIdx0: number;
  readonly bankIdx0: number;
}

/** Build the core over an already-checked memory. */
export function makeCore(params: RingParams, memory: SharedWasmMemory, dataOff: number): RingCore {
  const layout = ctlLayout(params);
  const sab = memoryBuffer(memory);
  const bytes = dataBytes(params);
  return {
    params,
    memory,
    dataOff,
    ctl: new Int32Array(sab, 0, dataOff >> 2),
    d32: new Int32Array(sab, dataOff, bytes >> 2),
    d64: new Float64Array(sab, dataOff, bytes >> 3),
    u8: new Uint8Array(sab, dataOff, bytes),
    cap: params.subbufSize - PAGE_HDR,
    logS: Math.log2(params.subbufSize),
    logN: Math.log2(params.subbufsPerCpu),
    nMask: params.subbufsPerCpu - 1,
    banks: params.banks,
    discard: params.mode === 'discard',
    paramsIdx: layout.index.params,
    cpuIdx0: layout.index.cpu,
    bankIdx0: layout.index.bank,
  };
}

/** i32 index of a CPU's control block. */
export function cpuIdx(c: RingCore, cpu: number): number {
  return c.cpuIdx0 + cpu * CPU_WORDS;
}

/** i32 index of a (cpu, bank) control block. */
export function bankIdx(c: RingCore, cpu: number, bank: number): number {
  return c.bankIdx0 + (cpu * c.banks + bank) * BANK_WORDS;
}

/** Byte address of a page in `data`. */
export function pageAddr(c: RingCore, cpu: number, bank: number, slot: number): number {
  return (((cpu * c.banks + bank) << c.logN) + slot) << c.logS;
}

/** Byte address of a page in `data`, for the (cpu, bank) whose control block is at `bi` (see bankIdx). */
export function bankPageAddr(c: RingCore, bi: number, slot: number): number {
  return ((((bi - c.bankIdx0) / BANK_WORDS) << c.logN) + slot) << c.logS;
}
