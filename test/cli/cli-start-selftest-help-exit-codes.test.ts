// CLI tests, rtla-style: run the built binary under a timeout, assert the exit code and one regex,
// and print the output as `#` lines on failure.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function run(args: string[], timeoutMs = 60_000): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function shown(out: string): string {
  return out.split('\n').map((l) => `# ${l}`).join('\n');
}

describe('tracelab CLI', () => {
  it('--version prints the package version and exits 0', () => {
    const r = run(['--version']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('timerlat with no subcommand runs top, as rtla timerlat does (options go to top)', () => {
    const r = run(['timerlat', '-d', '1s', '-q', '--sim-cpus', '1']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out, shown(r.out)).toMatch(/^ALL IRQ /m); // top's percentile rows, not the help
  });

  it('--help lists the subcommands', () => {
    const r = run(['--help']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out).toMatch(/selftest/);
  });

  it('an unknown command exits 1 and suggests the closest one', () => {
    const r = run(['selftst']);
    expect(r.code, shown(r.out)).toBe(1);
    expect(r.out).toMatch(/Did you mean selftest\?/);
  });

  it('a bad option value exits 1 with the option and range, no stack', () => {
    const r = run(['status', '--sim-cpus', '0']);
    expect(r.code, shown(r.out)).toBe(1);
    expect(r.out).toMatch(/--sim-cpus.*\[1, 1024\]/);
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  it('timerlat --timer-slack outside 1..1e9 exits 1 naming the option and its range', () => {
    for (const bad of ['0', 'abc', '1000000001']) {
      const r = run(['timerlat', 'top', '-q', '-d', '1s', '--timer-slack', bad]);
      expect(r.code, shown(r.out)).toBe(1);
      expect(r.out).toMatch(/--timer-slack.*\[1, 1000000000\]/);
    }
  });

  it('status prints a row per CPU and exits 0', () => {
    const r = run(['status', '--sim-cpus', '3']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out).toMatch(/cpu0 +online[\s\S]*cpu2 +online/);
    expect(r.out).toMatch(/^CPU +state +LOC +IPIs +hrtimers/m); // LOC: local timer interrupts, as /proc/interrupts
    expect(r.out).toMatch(/^# LOC: local timer interrupts taken/m);
  });

  it('start (what npm start runs) prints the timerlat top summary and the report path', () => {
    const r = run(['start', '--duration', '2'], 60_000);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out).toMatch(/ALL #\d+/);
    expect(r.out).toMatch(/tracelab-report\.html/);
  });

  it('selftest prints KTAP with every lab scenario passing and exits 0', () => {
    const r = run(['selftest', '--filter', 'lab/'], 120_000);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out).toMatch(/^KTAP version 1\n1\.\.1\n {4}# Subtest: lab\n/);
    expect(r.out).toMatch(/# Totals: pass:\d+ fail:0 xfail:0 xpass:0 skip:0 error:0/);
  });
});
