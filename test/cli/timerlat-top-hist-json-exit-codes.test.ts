// CLI tests of `tracelab timerlat top|hist`, rtla-style: run the built binary under a timeout,
// assert the exit code and the output layout (never latency values), print the output as `#` lines
// on failure. TRACELAB_BIN may point at another entry that registers the command.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateJson } from '../helpers/json-schema.js';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const SCHEMA = JSON.parse(readFileSync(new URL('../../docs/timerlat-json.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const FD_MODULE = fileURLToPath(new URL('../../dist/src/selftest/programs/timerlat-fd.js', import.meta.url));

function run(args: string[], timeoutMs = 40_000): { code: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function shown(out: string): string {
  return out.split('\n').map((l) => `# ${l}`).join('\n');
}

describe('tracelab timerlat', () => {
  it('top -q -d 2s prints a row per CPU and the ALL row, plus percentiles and the loss line; exit 0', () => {
    const r = run(['timerlat', 'top', '-q', '-d', '2s', '--sim-cpus', '2']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out, shown(r.out)).toMatch(/^\s+0 00:00:0\d +\| +IRQ Timer Latency \(us\) +\| +Thread Timer Latency \(us\)$/m);
    expect(r.out, shown(r.out)).toMatch(/^ {2}0 #\d+ +\|[\s\d]+\|[\s\d]+$/m);
    expect(r.out, shown(r.out)).toMatch(/^ {2}1 #\d+ +\|/m);
    expect(r.out, shown(r.out)).toMatch(/^ALL #\d+ +e\d \|/m);
    expect(r.out, shown(r.out)).toMatch(/^ALL Thr +\d+ +\d+ +\d+ +\d+ +\d+/m);
    expect(r.out, shown(r.out)).toMatch(/^# trace events lost: \d+ overwritten, \d+ commit overrun, \d+ dropped; skipped periods: \d+/m);
    expect(r.out, shown(r.out)).toMatch(/^# timer slack: 1 ns$/m); // the default, as a real-time task's
  });

  it('hist -d 2s prints the rtla header, index rows, over:, count:, min/avg/max, percentiles and ALL:', () => {
    const r = run(['timerlat', 'hist', '-d', '2s', '--sim-cpus', '2']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out, shown(r.out)).toMatch(/^# RTLA timerlat histogram\n# Time unit is microseconds \(us\)\n# Duration: +0 00:00:0\d\nIndex +IRQ-000 +Thr-000 +IRQ-001 +Thr-001$/m);
    for (const row of ['over: ', 'count:', 'min:  ', 'avg:  ', 'max:  ', 'p99.9:', 'stdev:']) expect(r.out, shown(r.out)).toMatch(new RegExp(`^${row.replace('.', '\\.')}( +\\d+){4} $`, 'm'));
    expect(r.out, shown(r.out)).toMatch(/^ALL: +IRQ +Thr\ncount: +\d+ +\d+ $/m);
  });

  it('--json - writes a document that validates against docs/timerlat-json.schema.json', () => {
    const r = run(['timerlat', 'hist', '-d', '1s', '--sim-cpus', '2', '-c', '1', '--json', '-']);
    expect(r.code, shown(r.out)).toBe(0);
    const doc = JSON.parse(r.stdout) as { cpus: { cpu: number; irq: { count: number; histogram: number[][] } }[]; config: { cpus: number[] }; machine: { timerSlackNs: number } };
    expect(validateJson(SCHEMA, doc), shown(r.stdout.slice(0, 2000))).toEqual([]);
    expect(doc.machine.timerSlackNs).toBe(1);
    expect(doc.config.cpus).toEqual([1]);
    expect(doc.cpus.map((c) => c.cpu)).toEqual([1]);
    const c = doc.cpus[0]!.irq;
    expect(c.histogram.reduce((a, h) => a + h[2]!, 0)).toBe(c.count); // the histogram holds every counted sample
  });

  it('a low -T with thread noise ends with exit 2, "hit stop tracing" and the analysis block naming the noise', () => {
    const r = run(['timerlat', 'top', '-q', '-d', '20s', '--sim-cpus', '2', '-T', '1000', '--noise', 'thread:3ms/6ms:name=busy-kthread']);
    expect(r.code, shown(r.out)).toBe(2);
    expect(r.out, shown(r.out)).toMatch(/^rtla timerlat hit stop tracing\n## CPU [01] hit stop tracing, analyzing it ##$/m);
    expect(r.out, shown(r.out)).toMatch(/busy-kthread/);
    expect(r.out, shown(r.out)).toMatch(/^ {2}(Thread|IRQ|Ret user) latency:\t+ *[\d.]+ us \(100%\)$/m);
  });

  // A hist gets SIGINT after a pause. Before its lab has booted, nothing was collected and the histogram
  // has no CPU columns (as rtla, which skips CPUs without samples); under a loaded suite a boot can take
  // seconds, so an empty run is retried with a longer pause.
  it('SIGINT to a running hist drains and prints the results, exit 0', async () => {
    let out = '';
    for (const pauseMs of [3000, 8000, 15_000]) {
      out = '';
      const child = spawn(process.execPath, [BIN, 'timerlat', 'hist', '--sim-cpus', '2'], { env: { ...process.env, NO_COLOR: '1' } });
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      const bound = setTimeout(() => child.kill('SIGKILL'), 40_000);
      await new Promise((r) => setTimeout(r, pauseMs));
      child.kill('SIGINT');
      const code = await exited;
      clearTimeout(bound);
      if (code === null && out === '') continue; // SIGINT beat the CLI's start-up on a loaded host (default action: killed); pause longer
      expect(code, shown(out)).toBe(0);
      expect(out, shown(out)).toMatch(/^ALL: +IRQ +Thr$/m);
      if (/^count:( +\d+){4} $/m.test(out)) return;
    }
    expect(out, shown(out)).toMatch(/^count:( +\d+){4} $/m);
  }, 120_000);

  it('-U runs a user module that opens timerlat_fd on every CPU and adds the Ret user columns', () => {
    const r = run(['timerlat', 'top', '-q', '-d', '2s', '--sim-cpus', '2', '-U', FD_MODULE]);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out, shown(r.out)).toMatch(/\| +Ret user Timer Latency \(us\)$/m);
    expect(r.out, shown(r.out)).toMatch(/^ {2}0 #[1-9]\d* +\|[\s\d]+\|[\s\d]+\|[\s\d]+$/m);
  });

  it.each([
    [['top', '-p', '50'], /-p\/--period .*\[100, 1000000\]/],
    [['top', '-p', '2s'], /-p\/--period .*\[100, 1000000\]/],
    [['hist', '-d', '0'], /-d\/--duration .*at least 1s/],
    [['top', '-c', '0-7', '--sim-cpus', '2'], /-c\/--cpus .*valid cpus are 0-1/],
    [['hist', '-E', '5'], /-E\/--entries .*\[10, 9999999\]/],
    [['hist', '-b', '0'], /-b\/--bucket-size .*\[1, 999999\]/],
    [['top', '--sim-cpus', '0'], /--sim-cpus .*\[1, 1024\]/],
    [['top', '--noise', 'thread:5ms/1ms'], /--noise .*DURATION must be shorter than PERIOD/],
    [['hist', '--no-irq', '--no-thread'], /--no-irq and --no-thread conflict/],
    [['top', '--aa-only', '10', '--no-aa'], /--aa-only and --no-aa conflict/],
    [['top', '-u', '-k'], /-u\/--user-threads and -k\/--kernel-threads conflict/],
    [['top', '--on-threshold', 'reboot'], /--on-threshold .*not an action/],
    [['top', '--perod', '100'], /unknown option '--perod'[\s\S]*Did you mean --period\?/],
  ])('bad input %j exits 1 naming the option, no stack', (args, re) => {
    const r = run(['timerlat', ...args], 20_000);
    expect(r.code, shown(r.out)).toBe(1);
    expect(r.out, shown(r.out)).toMatch(re);
    expect(r.out).not.toMatch(/\n\s+at /);
  });
});
