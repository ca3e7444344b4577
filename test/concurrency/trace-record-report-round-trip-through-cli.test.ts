// Claim: `tracelab record -o FILE -d 1` writes a trace file that `tracelab report FILE` prints as
// ftrace lines of the marker tasks, a corrupt file fails with exit 1 and the offset, and
// `tracelab stress ring` prints passing KTAP. Child processes of the built CLI under a timeout.
// Until main.ts registers record/report/stress, a two-line driver registers the same commands.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const CMDS = new URL('../../dist/src/cli/commands/', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'tracelab-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], timeoutMs = 30_000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { timeout: timeoutMs }, (e, out, err) => resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : 1, out, err }));
  });
}

let cli: Promise<string[]> | undefined;
/** argv prefix that runs the CLI with record/report/stress registered. */
function tracelab(): Promise<string[]> {
  cli ??= run([MAIN, '--help']).then(({ out }) => {
    if (/\brecord\b/.test(out) && /\breport\b/.test(out) && /\bstress\b/.test(out)) return [MAIN];
    const driver = join(dir, 'driver.mjs');
    writeFileSync(driver, [
      `const m = await import('${pathToFileURL(createRequire(import.meta.url).resolve('commander')).href}');`,
      'const Command = m.Command ?? m.default.Command;',
      `const { registerRecord } = await import('${CMDS}record.js');`,
      `const { registerReport } = await import('${CMDS}report.js');`,
      `const { registerStress } = await import('${CMDS}stress.js');`,
      "const p = new Command('tracelab'); registerRecord(p); registerReport(p); registerStress(p);",
      'try { await p.parseAsync(process.argv); } catch (e) { process.stderr.write(`tracelab: ${e.message}\\n`); process.exitCode = 1; }',
    ].join('\n'));
    return [driver];
  });
  return cli;
}

function printOnFail(r: { out: string; err: string }): string {
  return `${r.out}${r.err}`.split('\n').map((l) => `# ${l}`).join('\n');
}

describe('tracelab record / report / stress', () => {
  it('records marker events and reports them as ftrace lines', async () => {
    const file = join(dir, 'trace.dat');
    const rec = await run([...(await tracelab()), 'record', '-o', file, '-d', '1', '--sim-cpus', '2'], 45_000);
    expect(rec.code, printOnFail(rec)).toBe(0);
    const rep = await run([...(await tracelab()), 'report', file]);
    expect(rep.code, printOnFail(rep)).toBe(0);
    expect(rep.out).toMatch(/^# tracelab report: 2 cpus, clock tracelab-mono/);
    expect(rep.out).toMatch(/\n +marker-\d+ +\[00[01]\] +\d+\.\d{6}: tracing_mark_write: cpu[01] marker 0\n/);
    const bytes = readFileSync(file);
    bytes[40] = bytes[40]! ^ 0xff; // inside the header JSON
    writeFileSync(join(dir, 'bad.dat'), bytes);
    const bad = await run([...(await tracelab()), 'report', join(dir, 'bad.dat')]);
    expect(bad.code, printOnFail(bad)).toBe(1);
    expect(bad.err).toMatch(/EINVAL: offset \d+/);
  }, 90_000);

  it('record -p timerlat records the tracer on every CPU; report decodes its samples (no lab in the report process)', async () => {
    const file = join(dir, 'timerlat.dat');
    const rec = await run([...(await tracelab()), 'record', '-o', file, '-d', '1', '--sim-cpus', '2', '-p', 'timerlat', '--period', '2000'], 45_000);
    expect(rec.code, printOnFail(rec)).toBe(0);
    const rep = await run([...(await tracelab()), 'report', file]);
    expect(rep.code, printOnFail(rep)).toBe(0);
    for (const cpu of ['000', '001']) {
      for (const ctx of ['irq', 'thread']) {
        expect(rep.out, `cpu ${cpu} ${ctx}`).toMatch(new RegExp(`\\[${cpu}\\] +\\d+\\.\\d{6}: timerlat_sample: #1 +context +${ctx} timer_latency +\\d+ ns\\n`));
      }
    }
    expect(rep.out).not.toMatch(/marker/); // the tracer, not the marker tasks, is the source
    expect(rep.out).toMatch(/\n +timerlat\/1-101 +\[001\] .*context thread/); // kthread comms travel in the file
    const bad = await run([...(await tracelab()), 'record', '-o', join(dir, 'x.dat'), '-p', 'function']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/EINVAL.*unknown tracer "function"; available: nop timerlat/);
  }, 90_000);

  it('stress ring prints KTAP with every invariant ok', async () => {
    const r = await run([...(await tracelab()), 'stress', 'ring', '--cpus', '2', '--writers', '1', '--duration', '1', '--seed', '7', '--mode', 'overwrite']);
    expect(r.code, printOnFail(r)).toBe(0);
    expect(r.out).toMatch(/^KTAP version 1\n/);
    expect(r.out).toMatch(/# Totals: pass:6 fail:0/);
    expect(r.out).toMatch(/# [1-9]\d* reservations committed by another thread than their writer\n/);
  }, 60_000);
});
