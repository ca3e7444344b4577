// waitpid follows wait4(2): only the caller's own child processes can be waited for, each is reaped
// once, -1 and 0 mean any child (no process groups: 0 is -1), and the rest is ECHILD: the caller
// itself, its threads, its parent, a sibling's child, an unknown pid. Threads are joined with
// pthread_join. A child forked by one thread of a process is a child of the whole process.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const PROG = `data:text/javascript,${encodeURIComponent(`
export default function main(ctx, arg) {
  if (arg?.role === 'quick') return arg.code;
  if (arg?.role === 'slow') { ctx.nanosleep(300e6); return arg.code; }
  if (arg?.role === 'thread') { ctx.nanosleep(100e6); return 5; }
  if (arg?.role === 'forker') return ctx.clone({ arg: { role: 'quick', code: 8 } }) > 0 ? 0 : 1; // a thread forks
  if (arg?.role === 'peer') { const r = []; for (const p of arg.pids) { try { r.push(ctx.waitpid(p)); } catch (e) { r.push(e.code); } } ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'peer ' + JSON.stringify(r)); return 0; }
  const out = {};
  const t = (name, f) => { try { out[name] = f(); } catch (e) { if (e.code === undefined) throw e; out[name] = e.code; } };
  const a = ctx.clone({ arg: { role: 'quick', code: 3 } });
  const b = ctx.clone({ arg: { role: 'quick', code: 4 } });
  t('any1', () => ctx.waitpid(-1));
  t('any2', () => ctx.waitpid(0));
  t('none', () => ctx.waitpid(-1));
  t('againA', () => ctx.waitpid(a));
  t('self', () => ctx.waitpid(ctx.getpid()));
  t('unknown', () => ctx.waitpid(99999));
  t('group', () => ctx.waitpid(-12345));
  const th = ctx.clone({ thread: true, arg: { role: 'thread' } });
  t('waitThread', () => ctx.waitpid(th));
  t('joinSelf', () => ctx.pthread_join(ctx.gettid()));
  t('join', () => ctx.pthread_join(th));
  t('joinAgain', () => ctx.pthread_join(th));
  const s = ctx.clone({ arg: { role: 'slow', code: 6 } });
  const peer = ctx.clone({ arg: { role: 'peer', pids: [s, ctx.getpid()] } });
  t('peer', () => ctx.waitpid(peer));
  t('slow', () => ctx.waitpid(-1)); // s is still running: -1 sleeps until it ends
  const f = ctx.clone({ thread: true, arg: { role: 'forker' } });
  ctx.pthread_join(f);
  t('threadsChild', () => ctx.waitpid(-1));
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'main ' + JSON.stringify({ a, b, s, peer, out }));
  return 0;
}`)}`;

describe('waitpid follows wait4(2)', () => {
  const boot = useLabs();

  it('reaps each own child once, -1/0 take any child, and everything else is ECHILD', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(PROG);
    expect(await within(20_000, 'waiter', t.exited), t.error).toEqual({ code: 0 });
    const trace = await lab.tracefs.read('trace');
    const main = /main (\{.*\})$/m.exec(trace)?.[1];
    expect(main, trace).toBeDefined();
    const { a, b, s, peer, out } = JSON.parse(main!) as { a: number; b: number; s: number; peer: number; out: Record<string, unknown> };
    const anyTwo = [out.any1, out.any2].sort((x, y) => (x as { pid: number }).pid - (y as { pid: number }).pid);
    expect(anyTwo).toEqual([{ pid: a, code: 3 }, { pid: b, code: 4 }]);
    expect(out).toMatchObject({
      none: 'ECHILD',
      againA: 'ECHILD',
      self: 'ECHILD',
      unknown: 'ECHILD',
      group: 'ECHILD',
      waitThread: 'ECHILD',
      joinSelf: 'EDEADLK',
      join: { code: 5 },
      joinAgain: 'EINVAL',
      peer: { pid: peer, code: 0 },
      slow: { pid: s, code: 6 },
      threadsChild: { code: 8 },
    });
    // The sibling could wait for neither the parent's other child nor the parent.
    expect(/peer (.*)$/m.exec(trace)?.[1]).toBe('["ECHILD","ECHILD"]');
  });
});
