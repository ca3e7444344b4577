// The user-interrupt WebAssembly fast path (fastpath.wat, assembled into fastpath-wasm.ts), bound to
// one table's memory: senduipi's post and poll's atomic steps. Any thread that attaches a table made
// in a shared memory; the module compiles once per thread, and each binding has its own globals.
// Signatures and return codes are documented in fastpath.wat next to the code.
import { WASM_BASE64 } from './fastpath-wasm.js';
import { type SharedWasmMemory, instantiate, wasmBytes } from '../shm/wasm.js';

const FASTPATH = wasmBytes(WASM_BASE64);

/** The entry points (byte addresses in the table's memory). */
export interface UintrFastPath {
  /** senduipi's post on the UITT entry at `e`: 0 posted or skipped, 1 posted and the receiver waits (wake it), -1 invalid entry. */
  readonly send: (e: number, upids: number) => number;
  /** The start of a poll of the UPID at `b`: 0 nothing (or masked), vector + 1, or -1 (a bit someone else took). */
  readonly pollBegin: (b: number, uif: number) => number;
  /** The next step after a handler: 0 done, vector + 1, or -1. */
  readonly pollNext: (b: number) => number;
}

/** A fresh binding on `memory`. */
export function bindUintrFastPath(memory: SharedWasmMemory): UintrFastPath {
  return instantiate(FASTPATH, memory) as unknown as UintrFastPath;
}
