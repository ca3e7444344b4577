// Every command's durations and periods go through src/cli/units.ts: `start -d 1s`, `record --period
// 1ms`, `-p 0.5ms`; a value that is not a whole number of the base unit is EINVAL naming the option.
// In-process checks of the parser, then the built CLI under a timeout (exit code plus a regex, the
// output as `#` lines on failure).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDurationS, parseTimeUs } from '../../src/cli/units.js';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tracelab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], timeoutMs = 40_000): { code: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

const shown = (out: string): string => out.split('\n').map((l) => `# ${l}`).join('\n');

describe('the duration and time parser', () => {
  it('takes plain numbers, units and fractions that give whole microseconds', () => {
    expect(parseTimeUs('100', '-p', 1, 1e6)).toBe(100);
    expect(parseTimeUs('0.5ms', '-p', 1, 1e6)).toBe(500);
    expect(parseTimeUs('1.1ms', '-p', 1, 1e6)).toBe(1100); // exact: 1.1 * 1000 is 1100.0000000000002 in floats
    expect(parseTimeUs('250000ns', '-p', 1, 1e6)).toBe(250);
    expect(parseTimeUs('0.001s', '-p', 1, 1e6)).toBe(1000);
    expect(parseDurationS('3s', '-d')).toBe(3);
    expect(parseDurationS('1.5m', '-d')).toBe(90);
    expect(parseDurationS('2h', '-d')).toBe(7200);
  });

  it('rejects fractions of the base unit, unknown units and out-of-range values with EINVAL naming the option', () => {
    for (const [f, re] of [
      [() => parseTimeUs('0.0005ms', '-p/--period', 1, 1e6), /option EINVAL: -p\/--period — "0\.0005ms" is not a whole number of microseconds/],
      [() => parseTimeUs('1500ns', '-T', 1, 1e6), /"1500ns" is not a whole number of microseconds/],
      [() => parseTimeUs('5min', '-T', 1, 1e6), /"5min" is not a time/],
      [() => parseTimeUs('50us', '-p/--period', 100, 1e6), /"50us" is out of range; expected a whole number of microseconds in \[100, 1000000\]/],
      [() => parseDurationS('1.5s', '-d'), /"1\.5s" is not a whole number of seconds/],
      [() => parseDurationS('3x', '-d'), /"3x" is not a duration/],
      [() => parseDurationS('0', '-d', { min: 1, max: 86_400 }), /"0" is out of range.*\[1s, 86400s\]/],
    ] as const) {
      expect(f).toThrow(re);
      try {
        f();
      } catch (e) {
        expect((e as { code?: string }).code).toBe('EINVAL');
      }
    }
  });
});

describe('units on every command', () => {
  it('timerlat top -p 0.5ms runs with a 500 us period; exit 0', () => {
    const r = run(['timerlat', 'top', '-q', '-d', '1s', '--sim-cpus', '2', '-p', '0.5ms', '--json', '-']);
    expect(r.code, shown(r.out)).toBe(0);
    expect((JSON.parse(r.stdout) as { config: { periodUs: number } }).config.periodUs).toBe(500);
  });

  it('timerlat hist -p 0.0005ms is EINVAL naming -p/--period; exit 1', () => {
    const r = run(['timerlat', 'hist', '-d', '1s', '-p', '0.0005ms']);
    expect(r.code, shown(r.out)).toBe(1);
    expect(r.out, shown(r.out)).toMatch(/^tracelab: option EINVAL: -p\/--period — "0\.0005ms" is not a whole number of microseconds/m);
  });

  it('record -p timerlat --period 1ms -d 1s records; exit 0', () => {
    const r = run(['record', '-o', join(dir, 'r.dat'), '-p', 'timerlat', '--period', '1ms', '-d', '1s', '--sim-cpus', '2']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out, shown(r.out)).toMatch(/^# recorded \d+ pages \(\d+ events lost\) to /m);
  });

  it('start -d 1s runs the default experiment for 1 s; exit 0', () => {
    const r = run(['start', '-d', '1s', '--sim-cpus', '2']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out, shown(r.out)).toMatch(/^# tracelab timerlat top: 2 simulated CPUs, 1 s,/m);
  });

  it('selftest --timeout takes the duration units and names its range; exit 1 outside 1..3600 s', () => {
    const r = run(['selftest', '--timeout', '2h']);
    expect(r.code, shown(r.out)).toBe(1);
    expect(r.out, shown(r.out)).toMatch(/^tracelab: option EINVAL: --timeout — "2h" is out of range; .*\[1s, 3600s\]$/m);
  });

  it('stress timerlat --period 1500ns is EINVAL naming --period; exit 1', () => {
    const r = run(['stress', 'timerlat', '--period', '1500ns']);
    expect(r.code, shown(r.out)).toBe(1);
    expect(r.out, shown(r.out)).toMatch(/^tracelab: option EINVAL: --period — "1500ns" is not a whole number of microseconds/m);
  });
});
