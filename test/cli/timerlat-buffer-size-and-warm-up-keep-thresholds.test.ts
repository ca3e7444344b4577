// CLI tests of the timerlat set-up (rtla timerlat_top/hist_main): --trace-buffer-size resizes the
// ring while the buffer is still off, and --warm-up neither disarms the stop thresholds nor leaves
// its own events in the trace. rtla-style: built binary under a timeout, exit code plus a regex,
// the output as `#` lines on failure; never a latency value.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tracelab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], timeoutMs = 40_000): { code: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const shown = (out: string): string => out.split('\n').map((l) => `# ${l}`).join('\n');

describe('timerlat set-up', () => {
  for (const tool of ['top', 'hist'] as const) {
    it(`${tool} --trace-buffer-size 64 runs (the ring is resized before tracing is turned on); exit 0`, () => {
      const r = run(['timerlat', tool, '-q', '-d', '1s', '--sim-cpus', '2', '--trace-buffer-size', '64', '--json', '-']);
      expect(r.code, shown(r.out)).toBe(0);
      expect(r.out, shown(r.out)).not.toMatch(/EBUSY/);
      const doc = JSON.parse(r.stdout) as { config: { traceBufferKb: number | null } };
      expect(doc.config.traceBufferKb).toBe(64);
    });
  }

  // The noise (3 ms busy every 6 ms on every CPU) crosses -T 1000 within a few periods, during the
  // warm-up and again after it: the measured phase must stop with exit 2 and save a trace of its own.
  it('a threshold crossed after --warm-up still stops the run (exit 2) and -t saves the measured trace', () => {
    const trace = join(dir, 'warm-up-trace.txt');
    const r = run(['timerlat', 'top', '-q', '-d', '20s', '--sim-cpus', '2', '--warm-up', '1', '-T', '1000', '--noise', 'thread:3ms/6ms', '-t', trace]);
    expect(r.code, shown(r.out)).toBe(2);
    expect(r.out, shown(r.out)).toMatch(/^rtla timerlat hit stop tracing$/m);
    const text = readFileSync(trace, 'utf8');
    expect(text, shown(text)).toMatch(/timerlat_sample: #\d+ +context +thread timer_latency +\d+ ns/);
    // An ftrace file: the header block first, then the flight recorder's CPU, then the others.
    expect(text.split('\n')[0], shown(text)).toBe('# tracer: timerlat');
    expect(text, shown(text)).toMatch(/^# flight recorder: cpu\d at the stop[\s\S]*^# the other CPUs' buffers after the stop:$/m);
  });
});
