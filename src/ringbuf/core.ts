// The views and derived geometry every ring role shares (writer, reader, stats, repair, swap).
// Runs in any thread that attached the ring. Immutable after construction; holds no per-event state.
import { viewsOf } from '../shm/layout.js';
import {
  BANK_WORDS, CPU_WORDS, PAGE_HDR, ctlLayout, type RingParams,
} from './layout.js';

/** Shared views plus the shifts and masks of one ring's geometry. */
export interface RingCore {
  readonly params: RingParams;
  /** Control words (Int32 over `ctl`). */
  readonly ctl: Int32Array;
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

/** Build the core over already-checked SABs. */
export function makeCore(params: RingParams, ctlSab: SharedArrayBuffer, dataSab: SharedArrayBuffer): RingCore {
  const layout = ctlLayout(params);
  const data = viewsOf(dataSab);
  return {
    params,
    ctl: new Int32Array(ctlSab),
    d32: data.i32,
    d64: data.f64,
    u8: new Uint8Array(dataSab),
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
