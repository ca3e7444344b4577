// CLI test of rtla's `--on-threshold continue` (actions.c, timerlat_top/hist main loop): after the
// threshold actions, tracing is turned back on and every later crossing runs the actions again; the
// run ends at -d with exit 0, not as a stop. rtla-style: built binary under a timeout, exit code plus
// a regex, the output as `#` lines on failure; never a latency value.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function run(args: string[], timeoutMs = 40_000): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const shown = (out: string): string => out.split('\n').map((l) => `# ${l}`).join('\n');

describe('--on-threshold continue', () => {
  // 3 ms busy every 10 ms on every CPU: each busy stretch holds a timer expiry that waits ≥ 2 ms,
  // so -T 1000 is crossed again and again within the 3 s run.
  for (const tool of ['top', 'hist'] as const) {
    it(`${tool}: the shell action runs at every crossing (≥ 2 times), tracing goes on, exit 0`, () => {
      const r = run(['timerlat', tool, '-q', '--no-aa', '-d', '3s', '--sim-cpus', '2', '-T', '1000', '--noise', 'thread:3ms/10ms',
        '--on-threshold', 'shell,command=echo HIT-ACTION', '--on-threshold', 'continue']);
      expect(r.code, shown(r.out)).toBe(0);
      const hits = r.out.match(/^HIT-ACTION$/gm) ?? [];
      expect(hits.length, shown(r.out)).toBeGreaterThanOrEqual(2);
      expect(r.out, shown(r.out)).not.toMatch(/hit stop tracing/);
    });
  }
});
