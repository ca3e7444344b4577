// execve(2) loads the new program before the point of no return: a module without a default export,
// with a default export that is not a function, or that does not parse fails exec with ENOEXEC, and
// the caller keeps its state (its signal handler, its open fds) and goes on. A good module still execs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tracelab-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function module(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return pathToFileURL(path).href;
}

const BAD = {
  nodefault: module('no-default.mjs', 'export const x = 1;\n'),
  notfunction: module('not-function.mjs', 'export default 42;\n'),
  syntax: module('syntax.mjs', 'export default function main(ctx {\n'),
};
const GOOD = module('good.mjs', `export default function main(ctx, arg) {
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'execd ' + arg.n);
  return 5;
}\n`);

const PROG = `data:text/javascript,${encodeURIComponent(`
export default function main(ctx, arg) {
  const fd = ctx.open('/sys/kernel/tracing/trace_marker', 'w');
  let caught = 0;
  ctx.sigaction('SIGUSR1', () => { caught++; });
  const errs = {};
  for (const [k, url] of Object.entries(arg.bad)) {
    try { ctx.exec(url, {}); errs[k] = 'returned'; } catch (e) { errs[k] = e.code + ' ' + e.message; }
  }
  ctx.kill(ctx.gettid(), 'SIGUSR1'); // the handler survived the failed execs
  ctx.write(fd, 'after ' + caught + ' ' + JSON.stringify(errs)); // so did the fd
  ctx.exec(arg.good, { n: 1 });
}`)}`;

describe('exec of a module that does not load', () => {
  const boot = useLabs();

  it('fails with ENOEXEC naming the module and the reason, and the caller goes on with its handler and fds', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(PROG, { arg: { bad: BAD, good: GOOD } });
    expect(await within(20_000, 'exec task', t.exited), t.error).toEqual({ code: 5 });
    const trace = await lab.tracefs.read('trace');
    const m = /after (\d+) (\{.*\})$/m.exec(trace);
    expect(m?.[1], trace).toBe('1');
    const errs = JSON.parse(m?.[2] ?? '{}') as Record<string, string>;
    expect(errs.nodefault).toMatch(/^ENOEXEC .*no-default\.mjs.*no default export/);
    expect(errs.notfunction).toMatch(/^ENOEXEC .*not-function\.mjs.*number, not a function/);
    expect(errs.syntax).toMatch(/^ENOEXEC .*syntax\.mjs.*SyntaxError/);
    expect(trace).toMatch(/execd 1$/m);
  });
});
