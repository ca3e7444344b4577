// CLI usage errors print as every bad input does, `tracelab: option EINVAL: …` (or `command`, or the
// errno that fits), exit 1, and are found before any measurement starts: unknown options and commands,
// bad --noise specs, hist-only options on top, a selftest filter matching nothing, output files in a
// missing directory, record --period without -p timerlat. Help prints each default once.
// rtla-style: built binary under a timeout, exit code plus a regex, the output as `#` lines on failure.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

function run(args: string[], timeoutMs = 20_000): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const shown = (out: string): string => out.split('\n').map((l) => `# ${l}`).join('\n');
const MISSING = '/nonexistent-tracelab-dir/out';

describe('usage errors', () => {
  // -d 10m: a run that started would outlive the 20 s spawn bound (exit code null), so exit 1 with
  // the message means the error came before the measurement.
  it.each([
    [['timerlat', 'top', '--bogus'], /^tracelab: option EINVAL: unknown option '--bogus'$/m],
    [['timerlat', 'top', '--perod', '100'], /^tracelab: option EINVAL: unknown option '--perod'\n\(Did you mean --period\?\)$/m],
    [['bogus'], /^tracelab: command EINVAL: unknown command 'bogus'$/m],
    [['timerlat', 'bogus'], /^tracelab: command EINVAL: unknown command 'bogus'$/m],
    [['report'], /^tracelab: command EINVAL: missing required argument 'file'$/m],
    [['timerlat', 'top', '-p'], /^tracelab: option EINVAL: option '-p, --period <us>' argument missing$/m],
    [['timerlat', 'top', '--noise', 'thread:5ms/1ms'], /^tracelab: option EINVAL: --noise — "thread:5ms\/1ms": DURATION must be shorter than PERIOD/m],
    [['timerlat', 'top', '--noise', 'thread:5xs/10ms'], /^tracelab: option EINVAL: --noise — "5xs" is not a time/m],
    [['timerlat', 'top', '--log-buckets'], /^tracelab: option EINVAL: unknown option '--log-buckets'$/m],
    [['selftest', '--filter', 'zzzz'], /^tracelab: option ENOENT: -f\/--filter — no self-test matches "zzzz"/m],
    [['timerlat', 'top', '-q', '-d', '10m', '--json', `${MISSING}/r.json`], /^tracelab: option ENOENT: --json — ".*": directory \/nonexistent-tracelab-dir\/out does not exist/m],
    [['timerlat', 'hist', '-d', '10m', '--html', `${MISSING}/r.html`], /^tracelab: option ENOENT: --html — /m],
    [['timerlat', 'top', '-q', '-d', '10m', '-t', `${MISSING}/t.txt`], /^tracelab: option ENOENT: -t\/--trace — /m],
    [['timerlat', 'top', '-q', '-d', '10m', '--on-end', `trace,file=${MISSING}/t.txt`], /^tracelab: option ENOENT: --on-end — /m],
    [['timerlat', 'top', '-q', '-d', '10m', '-t', '/'], /^tracelab: option EISDIR: -t\/--trace — "\/": is a directory/m],
    [['record', '-d', '10m', '-o', `${MISSING}/r.dat`], /^tracelab: option ENOENT: -o\/--output — /m],
    [['record', '-d', '10m', '-o', `${MISSING}/r.dat`, '--period', '1ms'], /^tracelab: option EINVAL: --period — .*needs -p timerlat/m],
    [['record', '-d', '0', '-o', '/tmp/tracelab-never.dat'], /^tracelab: option EINVAL: -d\/--duration — "0" is out of range/m],
    [['stress', 'ring', '--duration', '0'], /^tracelab: option EINVAL: --duration — "0" is out of range/m],
    [['stress', 'timerlat', '--duration', '0'], /^tracelab: option EINVAL: --duration — "0" is out of range/m],
    [['stress', 'uintr', '--duration', '0'], /^tracelab: option EINVAL: --duration — "0" is out of range/m],
    // every receiver killed would leave the delivery checks nothing to check
    [['stress', 'uintr', '--receivers', '1', '--kill', '1'], /^tracelab: option EINVAL: --kill — .*\[0, 0\]/m],
    [['stress', 'uintr', '--receivers', '1', '--vectors', '2', '--targets', '3'], /^tracelab: option EINVAL: --targets — .*\[1, 2\]/m],
  ])('%j exits 1 with one line naming the option and the errno', (args, re) => {
    const r = run(args);
    expect(r.code, shown(r.out)).toBe(1);
    expect(r.out, shown(r.out)).toMatch(re);
    expect(r.out, shown(r.out)).not.toMatch(/^error: /m); // commander's own format
    expect(r.out, shown(r.out)).not.toMatch(/^1\.\.0$/m); // an empty KTAP plan
    expect(r.out, shown(r.out)).not.toMatch(/\n\s+at /);
  });
});

describe('help', () => {
  it.each([[['record']], [['stress', 'ring']], [['stress', 'timerlat']], [['stress', 'uintr']], [['ipc', 'bench']]])('%j --help states each default once', (cmd) => {
    const r = run([...cmd, '--help']);
    expect(r.code, shown(r.out)).toBe(0);
    expect(r.out, shown(r.out)).toMatch(/\(default [^)]+\)/);
    expect(r.out, shown(r.out)).not.toMatch(/\(default: "/);
  });

  it('--log-buckets is listed by hist, not by top', () => {
    const top = run(['timerlat', 'top', '--help']);
    const hist = run(['timerlat', 'hist', '--help']);
    expect(top.code, shown(top.out)).toBe(0);
    expect(top.out, shown(top.out)).not.toMatch(/--log-buckets/);
    expect(hist.out, shown(hist.out)).toMatch(/^ +--log-buckets +power-of-two rows/m);
  });
});
