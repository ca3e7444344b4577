// Signal state across clone and exec (fork(2), clone(2), execve(2)): a forked child and a new thread
// start with the caller's SIG_IGN set and blocked mask (CLONE_CLEAR_SIGHAND resets only handled
// signals); exec keeps SIG_IGN and the mask and resets handled signals to SIG_DFL. Handler closures
// do not cross workers, so a child of a caller with a handler starts with SIG_DFL for that signal.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const PROG = `data:text/javascript,${encodeURIComponent(`
function report(ctx, what) {
  const mask = ctx.sigprocmask('SIG_BLOCK', []);
  ctx.kill(ctx.gettid(), 'SIGUSR1'); // ignored if inherited, else the default action kills
  ctx.kill(ctx.gettid(), 'SIGUSR2'); // blocked if inherited, else kills
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), what + ' ' + JSON.stringify(mask));
  return 0;
}
export default function main(ctx, arg) {
  if (arg?.role === 'child') return report(ctx, arg.what);
  if (arg?.role === 'execer') {
    ctx.sigaction('SIGHUP', () => {}); // caught: SIG_DFL after exec
    ctx.exec(arg.self, { role: 'execd' });
  }
  if (arg?.role === 'execd') {
    ctx.kill(ctx.getpid(), 'SIGHUP'); // default action: terminate (it was caught before exec)
    return 99;
  }
  ctx.sigaction('SIGUSR1', 'SIG_IGN');
  ctx.sigprocmask('SIG_BLOCK', ['SIGUSR2']);
  const st = {};
  st.fork = ctx.waitpid(ctx.clone({ arg: { role: 'child', what: 'fork' } }));
  st.thread = ctx.pthread_join(ctx.clone({ thread: true, arg: { role: 'child', what: 'thread' } }));
  st.clear = ctx.waitpid(ctx.clone({ clearSighand: true, arg: { role: 'child', what: 'clear' } }));
  st.exec = ctx.waitpid(ctx.clone({ module: arg.self, arg: { role: 'child-exec', self: arg.self } }));
  st.caught = ctx.waitpid(ctx.clone({ arg: { role: 'execer', self: arg.self } }));
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'status ' + JSON.stringify(st));
  return 0;
}`)}`;

// child-exec: exec first, then report from the new program.
const WITH_EXEC = PROG.replace(
  encodeURIComponent(`if (arg?.role === 'child') return report(ctx, arg.what);`),
  encodeURIComponent(`if (arg?.role === 'child') return report(ctx, arg.what);
  if (arg?.role === 'child-exec') ctx.exec(arg.self, { role: 'child', what: 'exec' });`),
);

describe('SIG_IGN and the blocked mask across clone and exec', () => {
  const boot = useLabs();

  it('fork, threads, CLONE_CLEAR_SIGHAND and exec keep SIG_IGN and the mask; exec resets caught signals', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(WITH_EXEC, { arg: { self: WITH_EXEC } });
    expect(await within(20_000, 'inherit task', t.exited), t.error).toEqual({ code: 0 });
    const trace = await lab.tracefs.read('trace');
    for (const what of ['fork', 'thread', 'clear', 'exec']) expect(new RegExp(`${what} \\[12\\]$`, 'm').test(trace), `${what}\n${trace}`).toBe(true);
    const st = JSON.parse(/status (\{.*\})$/m.exec(trace)?.[1] ?? 'null') as Record<string, unknown>;
    expect(st, trace).toMatchObject({ fork: { code: 0 }, thread: { code: 0 }, clear: { code: 0 }, exec: { code: 0 }, caught: { signal: 'SIGHUP' } });
  });
});
