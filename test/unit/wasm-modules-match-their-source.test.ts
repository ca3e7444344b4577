// Claim: every committed WebAssembly module (src/**/NAME-wasm.ts) is exactly what its NAME.wat
// source assembles to (scripts/wasm.mjs with wabt), so the text reviewed is the code that runs;
// and the module instantiates on a shared memory and does what its source says for one
// reserve/commit round (the ring's own tests cover it under load).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WASM_BASE64 } from '../../src/ringbuf/fastpath-wasm.js';
import { instantiate, sharedMemory, wasmBytes } from '../../src/shm/wasm.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('WebAssembly modules', () => {
  it('are the assembly of their committed .wat source', () => {
    // --check exits 1 and names the file when a committed module differs from its source.
    expect(() => execFileSync(process.execPath, ['scripts/wasm.mjs', '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });

  it('ring fast path: reserve CASes RES and marks the record busy; commit publishes it once', () => {
    const mem = sharedMemory(8192);
    const fx = instantiate(wasmBytes(WASM_BASE64), mem);
    const reserve = fx.reserve as (...a: number[]) => number;
    const commit = fx.commit as (...a: number[]) => number;
    const i32 = new Int32Array(mem.buffer);
    const f64 = new Float64Array(mem.buffer);
    const page = 4096;
    f64[(page + 16) >> 3] = 1000; // BASE_TS
    i32[page >> 2] = 40; // RES: 40 bytes reserved
    expect(reserve(-1, 0, page, 32, 24, 0x0101_0010, 9, 1000)).toBe(-1); // predicted 32, RES is 40: CAS loses, nothing written
    expect(i32[(page + 32 + 40) >> 2]).toBe(0);
    const rec = reserve(-1, 0, page, 40, 24, 0x0101_0010, 9, 1000);
    expect(rec).toBe(page + 32 + 40);
    expect(i32[page >> 2]).toBe(64);
    expect([i32[rec >> 2], i32[(rec >> 2) + 1]]).toEqual([0x0101_0010, 9]);
    expect(reserve(-1, 0, page, 64, 24, 0x0101_0010, 9, 999)).toBe(-(page + 32 + 64)); // BASE_TS moved: ABA
    i32[8] = 3; // WAITERS word at byte 32
    expect(commit(rec, 0x0101_0010, 77, 0x0201_0010, page + 4, 24 + 65536, 0, 32)).toBe(3);
    expect([i32[rec >> 2], i32[(rec >> 2) + 1], i32[(page + 4) >> 2]]).toEqual([0x0201_0010, 77, 24 + 65536]);
    expect(commit(rec, 0x0101_0010, 77, 0x0201_0010, page + 4, 24 + 65536, 0, 32)).toBe(-1); // twice: refused
    expect(i32[(page + 4) >> 2]).toBe(24 + 65536);
    i32[2] = 1; // C_LIVE at byte 8 says bank 1
    expect(reserve(8, 0, page, 64, 24, 0x0101_0010, 9, 999)).toBe(-1); // bank 0 is no longer live
  });
});
