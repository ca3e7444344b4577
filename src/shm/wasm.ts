// Shared WebAssembly memories and the small modules that run hot paths on them. Any thread.
//
// Why WebAssembly, and what it costs: in Node 20 every `Atomics.*` call is a builtin call of
// 6–13 ns here (load 6.5, store 9.1, compareExchange 12.6, measured), against ~1 ns for a plain
// typed-array access, so a write path of four Atomics spends most of its time in call overhead. A
// WebAssembly function runs `i32.atomic.*` as single instructions: one call from JS (~2 ns) does a
// whole sequence of them. The memory model is the same one: a shared `WebAssembly.Memory`'s
// `buffer` is an ordinary SharedArrayBuffer, JS `Atomics` and Wasm atomics on it are sequentially
// consistent with each other, and the JS side keeps using typed arrays over that buffer. The cost:
// a region that a module touches must live in a `WebAssembly.Memory` (sized in 64 KiB pages, so up
// to 64 KiB - 1 B of slack), and the structured-clonable handle carries the Memory object.
// Users: the ring writer (src/ringbuf/fastpath.wat) and senduipi/poll (src/uintr/fastpath.wat).
// Each module's source is a `.wat` file beside the code that calls it; `npm run wasm` assembles it
// into the `*-wasm.ts` file that is committed, and a unit test checks the two match.

/**
 * A shared `WebAssembly.Memory`, typed by the one part callers use, so that the emitted types
 * (RingBuffer's handle) need neither the DOM lib nor WebAssembly declarations in a user's project.
 */
export interface SharedWasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** Bytes of one WebAssembly memory page. */
export const WASM_PAGE = 65536;

/** A fixed-size shared memory of at least `bytes` bytes, zeroed. Throws RangeError past 2 GiB. */
export function sharedMemory(bytes: number): SharedWasmMemory {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  if (pages > 32768) throw new RangeError(`a shared memory of ${bytes} B exceeds 2 GiB`);
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Is `m` a shared WebAssembly memory (what `sharedMemory` makes, possibly posted from another thread)? */
export function isSharedMemory(m: unknown): m is SharedWasmMemory {
  return typeof WebAssembly === 'object' && m instanceof WebAssembly.Memory && m.buffer instanceof SharedArrayBuffer;
}

/** The SharedArrayBuffer behind a shared memory. */
export function memoryBuffer(m: SharedWasmMemory): SharedArrayBuffer {
  return m.buffer as SharedArrayBuffer;
}

const modules = new WeakMap<Uint8Array, WebAssembly.Module>();

/** Instantiate a module (compiled once per thread) with `memory` imported as env.mem. */
export function instantiate(bytes: Uint8Array, memory: SharedWasmMemory): Record<string, unknown> {
  let mod = modules.get(bytes);
  if (mod === undefined) {
    mod = new WebAssembly.Module(bytes);
    modules.set(bytes, mod);
  }
  return new WebAssembly.Instance(mod, { env: { mem: memory as WebAssembly.Memory } }).exports;
}

/** Decode a module embedded as base64 (the generated `*-wasm.ts` files). */
export function wasmBytes(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
