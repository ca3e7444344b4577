// CLI test of --dump-tasks (rtla timerlat_aa: "Printing CPU tasks"): with kernel threads each CPU's
// line names timerlat/N with the pid its trace lines carry (timerlat/N-PID), never 0. rtla-style:
// built binary under a timeout, exit code plus a regex, the output as `#` lines on failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tracelab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shown = (out: string): string => out.split('\n').map((l) => `# ${l}`).join('\n');

describe('--dump-tasks', () => {
  // 3 ms busy every 6 ms on every CPU crosses -T 1000 within a few periods. A thread threshold only
  // (--aa-only also arms the IRQ one) makes the crossing sample a timerlat/N line, so the saved trace
  // always has one, even when a loaded host delays an IRQ past 1 ms first (a doubled-load full run
  // stopped on an IRQ sample before any thread line).
  it('names every CPU\'s timerlat/N with the pid of its trace lines; exit 2', () => {
    const trace = join(dir, 'dump-tasks-trace.txt');
    const r = spawnSync(process.execPath, [BIN, 'timerlat', 'top', '-d', '20s', '--sim-cpus', '2', '-q', '-T', '1000', '--noise', 'thread:3ms/6ms', '--dump-tasks', '-t', trace],
      { encoding: 'utf8', timeout: 40_000, env: { ...process.env, NO_COLOR: '1' } });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, shown(out)).toBe(2);
    const dumped = [...out.matchAll(/^ {4}\[(\d{3})\] +timerlat\/(\d+):(\d+)$/gm)].map((m) => ({ cpu: Number(m[1]), comm: Number(m[2]), pid: Number(m[3]) }));
    expect(dumped.map((d) => d.cpu), shown(out)).toEqual([0, 1]);
    const text = readFileSync(trace, 'utf8');
    for (const d of dumped) {
      expect(d.comm).toBe(d.cpu);
      expect(d.pid, shown(out)).not.toBe(0);
    }
    // The CPU that hit has its kernel thread's lines in the saved trace: same pid there.
    const traced = [...text.matchAll(/ timerlat\/(\d+)-(\d+) +\[\d{3}\]/g)].map((m) => ({ cpu: Number(m[1]), pid: Number(m[2]) }));
    expect(traced.length, shown(text)).toBeGreaterThan(0);
    for (const t of traced) expect(dumped.find((d) => d.cpu === t.cpu)?.pid, shown(`${out}\n${text}`)).toBe(t.pid);
  });
});
