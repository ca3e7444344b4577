// CLI test of `tracelab ipc bench`: every path measured in one run (the senduipi paths alternated
// with their raw baselines in one worker pair), as JSON and as the markdown table beside the seed's.
// Asserts shape and counts, never speed; prints the output as `#` lines on failure.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function run(args: string[]): { code: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const shown = (out: string): string => out.split('\n').map((l) => `# ${l}`).join('\n');

const PATHS = ['uintr-poll', 'uintr-wait', 'spin', 'spin-2line', 'wait-notify', 'msgport', 'uds', 'pipe', 'signal'];

describe('tracelab ipc bench', () => {
  it('--json measures every path with the requested rounds and names eventfd as skipped', () => {
    const r = run(['ipc', 'bench', '--iterations', '200', '--json']);
    expect(r.code, shown(r.out)).toBe(0);
    const doc = JSON.parse(r.stdout) as { iterations: number; results: Array<{ path: string; samples: number; p50Ns: number; p99Ns: number }>; skipped: Array<{ path: string }> };
    expect(doc.iterations).toBe(200);
    expect(doc.results.map((x) => x.path), shown(r.out)).toEqual(PATHS);
    const samples = Object.fromEntries(doc.results.map((x) => [x.path, x.samples]));
    expect(samples).toMatchObject({ 'uintr-poll': 200, spin: 200, 'spin-2line': 200, 'uintr-wait': 100, 'wait-notify': 100 }); // a pair alternates equal counts
    for (const x of doc.results) {
      expect(x.samples, x.path).toBeGreaterThanOrEqual(100);
      expect(x.p50Ns, x.path).toBeGreaterThan(0);
      expect(x.p99Ns, x.path).toBeGreaterThanOrEqual(x.p50Ns);
    }
    expect(doc.skipped.map((s) => s.path)).toEqual(['eventfd']);
  });

  it('prints the table normalised to senduipi, the pairing note and the seed table', () => {
    const r = run(['ipc', 'bench', '--iterations', '200']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out, shown(r.out)).toMatch(/^\| senduipi → running \(polling\) receiver \| [\d.]+ (ns|µs|ms) \| [\d.]+ (ns|µs|ms) \| 1\.00 \| 1\.00 \|/m);
    expect(r.out, shown(r.out)).toMatch(/^\| senduipi → receiver in uintr_wait \|.*\| 1\.00 \| 1\.00 \| {2}\|$/m);
    expect(r.out, shown(r.out)).toMatch(/^# senduipi → running alternates with both raw spins/m);
    expect(r.out, shown(r.out)).toMatch(/^\| User IPI \| 1\.0 \|\n\| Signal \| 14\.8 \|/m);
  });
});
