// Claim: the published types (dist/src/index.d.ts, built by `npm test`) type-check in a user's plain
// Node project: lib ES2023, types ["node"], no DOM lib, skipLibCheck off. The ring's handle holds a
// WebAssembly.Memory, whose type only the DOM lib declares; the public types name a structural
// SharedWasmMemory instead, and this fails if a WebAssembly type leaks into them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('published types', () => {
  it('compile in a project without the DOM lib', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelab-consumer-'));
    try {
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')], strict: true, noEmit: true, skipLibCheck: false,
        },
        files: ['user.ts'],
      }));
      writeFileSync(join(dir, 'user.ts'), [
        `import { Lab, RingBuffer, type RingHandle } from ${JSON.stringify(join(root, 'dist/src/index.js'))};`,
        'const ring = RingBuffer.create({ cpus: 2 });',
        'const handle: RingHandle = ring.handle;',
        'const off: number = ring.reserveRaw(0, 8, 1);',
        'const bytes: number = handle.memory.buffer.byteLength;',
        'export const used = [off, bytes, Lab];',
      ].join('\n'));
      let out = '';
      try {
        execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        out = String((err as { stdout?: string }).stdout ?? err);
      }
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
