// README.md's "Library" example and its user-space load (`my-load.js`), run verbatim as a user would:
// both blocks are copied out of the README into files inside this package, so that
// `import { Lab } from 'tracelab'` resolves through package.json "exports" (the built dist/), and the
// example runs in a child process of its own under a timeout. It must print the snapshot it promises
// and `{ code: 0 }` for the task, and the process must exit by itself after `lab.shutdown()`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const DIR = fileURLToPath(new URL('test/.readme/', ROOT));

/** The first fenced block of `lang` after `heading` whose text contains `marker` (or the first one). */
function block(readme: string, heading: string, lang: string, marker?: string): string {
  const from = readme.indexOf(heading);
  if (from < 0) throw new Error(`README.md has no heading ${heading}`);
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  re.lastIndex = from;
  for (let m = re.exec(readme); m !== null; m = re.exec(readme)) {
    if (marker === undefined || m[1]!.includes(marker)) return m[1]!;
  }
  throw new Error(`README.md has no ${lang} block after ${heading}${marker === undefined ? '' : ` containing ${marker}`}`);
}

describe('README.md library example', () => {
  afterAll(() => rmSync(DIR, { recursive: true, force: true }));

  it('runs as written: a snapshot, the user task exits 0, and the process ends after shutdown', () => {
    const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
    const example = block(readme, '## Library', 'ts');
    const load = block(readme, '## The three latencies', 'js', 'my-load.js');
    mkdirSync(DIR, { recursive: true });
    writeFileSync(`${DIR}example.mjs`, example);
    writeFileSync(`${DIR}my-load.js`, load);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
    const shown = `exit ${String(r.status)} signal ${String(r.signal)}\n${r.stdout}${r.stderr}`.split('\n').map((l) => `# ${l}`).join('\n');
    expect(r.status, shown).toBe(0);
    expect(r.stdout, shown).toMatch(/count: [1-9]\d*/); // the thread snapshot of CPU 0, with samples
    expect(r.stdout, shown).toMatch(/\{ code: 0 \}/); // the timerlat_fd task ran its loops and returned 0
  });
});
