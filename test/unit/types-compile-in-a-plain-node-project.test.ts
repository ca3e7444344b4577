// Claim: the published types (dist/src/index.d.ts, built by `npm test`) type-check in a user's plain
// Node project: lib ES2023, types ["node"], no DOM lib, skipLibCheck off. The ring's handle holds a
// WebAssembly.Memory, whose type only the DOM lib declares; the public types name a structural
// SharedWasmMemory instead, and this fails if a WebAssembly type leaks into them.
import { describe, expect, it } from 'vitest';
import { ENTRY, userTsc } from '../helpers/user-tsc.js';

describe('published types', () => {
  it('compile in a project without the DOM lib', () => {
    expect(userTsc([
      `import { Lab, RingBuffer, type RingHandle } from ${ENTRY};`,
      'const ring = RingBuffer.create({ cpus: 2 });',
      'const handle: RingHandle = ring.handle;',
      'const off: number = ring.reserveRaw(0, 8, 1);',
      'const bytes: number = handle.memory.buffer.byteLength;',
      'export const used = [off, bytes, Lab];',
    ])).toBe('');
  }, 60_000);
});
