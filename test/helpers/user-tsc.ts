// Type-check a user's file against the published types (dist/src/index.d.ts, built by `npm test`) in
// a plain Node project of its own: lib ES2023, types ["node"], no DOM lib, strict, skipLibCheck off.
// Returns tsc's output: '' when the file compiles.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The package entry as a user's import specifier (the built dist). */
export const ENTRY = JSON.stringify(join(root, 'dist/src/index.js'));

/** Compile `lines` as the user's `user.ts`; tsc's diagnostics, or '' when it compiles. */
export function userTsc(lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracelab-user-'));
  try {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')], strict: true, noEmit: true, skipLibCheck: false,
      },
      files: ['user.ts'],
    }));
    writeFileSync(join(dir, 'user.ts'), lines.join('\n'));
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? err);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
