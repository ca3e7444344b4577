// The ring writer's WebAssembly fast path (fastpath.wat, assembled into fastpath-wasm.ts), bound to
// one ring's memory. Any thread that attaches a ring; the module compiles once per thread.
// Signatures and return codes are documented in fastpath.wat next to the code.
import { WASM_BASE64 } from './fastpath-wasm.js';
import { type SharedWasmMemory, instantiate, wasmBytes } from '../shm/wasm.js';

const FASTPATH = wasmBytes(WASM_BASE64);

/** The predicted reserve's atomic section: the record's address, -1 (bank moved or CAS lost), or -address (ABA). */
export type FastReserve = (liveAt: number, bank: number, resAt: number, r: number, len: number, busy: number, wid: number, base: number) => number;
/** A commit: the CPU's WAITERS word, or -1 when the record is not the caller's busy reservation. */
export type FastCommit = (rec: number, busy: number, h1: number, data: number, countAt: number, delta: number, remote: number, waitersAt: number) => number;

/** Both entry points, on `memory`. */
export function bindFastPath(memory: SharedWasmMemory): { readonly reserve: FastReserve; readonly commit: FastCommit } {
  const fx = instantiate(FASTPATH, memory);
  return { reserve: fx.reserve as FastReserve, commit: fx.commit as FastCommit };
}

/** The raw path's entry points (fastpath.wat, "The raw path"): each binding has its own globals. */
export interface RawPath {
  readonly init: (wid: number, cap: number, dataOff: number, pageMask: number, owner: number, waiters0: number, cpuStride: number) => void;
  readonly adopt: (cpu: number, bank: number, liveAt: number, resAt: number, res: number, base: number, rec: number, h0: number, h1: number) => void;
  readonly reserve_raw: (cpu: number, len: number, type: number, ts: number) => number;
  readonly commit_last: () => number;
}

/** A fresh instance (its own cache and held reservation) on `memory`. */
export function bindRawPath(memory: SharedWasmMemory): RawPath {
  const fx = instantiate(FASTPATH, memory);
  return fx as unknown as RawPath;
}

