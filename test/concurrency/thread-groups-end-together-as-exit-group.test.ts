// A thread group ends together (kernel/exit.c: do_group_exit): the leader returning from main, a crash
// or a fatal signal (SIGKILL to any thread included) in any thread ends every thread of the group, and
// waitpid / lab.spawn's `exited` report the group's status once the last member has ended. exit(2)
// ends one thread only; the last one's end ends the process, whose status is then the leader's own.
// The shared fd table lives until the last member ends.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const PROG = `data:text/javascript,${encodeURIComponent(`
const mark = (ctx, s) => ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), s);
export default function main(ctx, arg) {
  switch (arg.role) {
    case 'sleeper': ctx.nanosleep(60e9); return 1;
    case 'spinner': for (;;) ctx.spin(1000);
    case 'exit3': ctx.exit(3);
    case 'thrower': ctx.nanosleep(20e6); throw new Error('thread crash');
    case 'crashthread': {
      ctx.clone({ thread: true, arg: { role: 'thrower' } });
      ctx.nanosleep(60e9);
      return 1;
    }
    case 'writer': {
      for (let i = 0; i < arg.n; i++) { ctx.nanosleep(20e6); ctx.write(arg.fd, 'tw ' + i); }
      ctx.exit(4);
    }
    case 'returns7': {
      ctx.clone({ thread: true, arg: { role: 'sleeper' } });
      ctx.clone({ thread: true, arg: { role: 'spinner' } });
      ctx.nanosleep(50e6);
      return 7;
    }
    case 'killthread': {
      const tid = ctx.clone({ thread: true, arg: { role: 'sleeper' } });
      ctx.clone({ thread: true, arg: { role: 'spinner' } });
      ctx.nanosleep(50e6);
      ctx.kill(tid, 'SIGKILL');
      ctx.nanosleep(60e9);
      return 1;
    }
    case 'termthread': {
      const tid = ctx.clone({ thread: true, arg: { role: 'sleeper' } });
      ctx.nanosleep(50e6);
      ctx.kill(tid, 'SIGTERM'); // default action: terminate, the whole process
      ctx.nanosleep(60e9);
      return 1;
    }
    case 'threadexits': {
      const tid = ctx.clone({ thread: true, arg: { role: 'exit3' } });
      const st = ctx.pthread_join(tid);
      ctx.nanosleep(20e6);
      mark(ctx, 'leader goes on ' + JSON.stringify(st));
      return 0;
    }
    case 'leaderexits': {
      const fd = ctx.open('/sys/kernel/tracing/trace_marker', 'w');
      ctx.clone({ thread: true, arg: { role: 'writer', fd, n: 5 } });
      ctx.exit(2);
    }
    case 'parent': {
      const pid = ctx.clone({ arg: { role: arg.child } });
      mark(ctx, 'waited ' + JSON.stringify(ctx.waitpid(pid)) + ' ' + pid);
      return 0;
    }
  }
  return 1;
}`)}`;

describe('thread groups end together', () => {
  const boot = useLabs();

  it('the leader returning 7 ends a sleeping and a spinning thread; exited and waitpid give { code: 7 }', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(PROG, { arg: { role: 'returns7' } });
    expect(await within(10_000, 'exit_group', t.exited), t.error).toEqual({ code: 7 });
    expect(lab.ps(), 'no member is left').toEqual([]);
    const p = await lab.spawn(PROG, { arg: { role: 'parent', child: 'returns7' } });
    expect(await within(10_000, 'parent', p.exited), p.error).toEqual({ code: 0 });
    expect(await lab.tracefs.read('trace')).toMatch(/waited \{"code":7,"pid":(\d+)\} \1$/m);
  });

  it('SIGKILL to one thread ends the whole group with SIGKILL; a fatal SIGTERM or a crash in a thread ends it too', async () => {
    const lab = await boot({ cpus: 2 });
    const k = await lab.spawn(PROG, { arg: { role: 'killthread' } });
    expect(await within(10_000, 'SIGKILLed group', k.exited)).toEqual({ signal: 'SIGKILL' });
    const s = await lab.spawn(PROG, { arg: { role: 'termthread' } });
    expect(await within(10_000, 'SIGTERMed group', s.exited)).toEqual({ signal: 'SIGTERM' });
    const c = await lab.spawn(PROG, { arg: { role: 'crashthread' } });
    expect(await within(10_000, 'crashed group', c.exited)).toEqual({ code: 1 }); // an uncaught throw in a thread
    const p = await lab.spawn(PROG, { arg: { role: 'parent', child: 'killthread' } });
    expect(await within(10_000, 'parent', p.exited), p.error).toEqual({ code: 0 });
    expect(await lab.tracefs.read('trace')).toMatch(/waited \{"signal":"SIGKILL","pid":\d+\}/);
  });

  it('a thread calling exit(3) ends alone: the leader joins it and goes on', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(PROG, { arg: { role: 'threadexits' } });
    expect(await within(10_000, 'leader', t.exited), t.error).toEqual({ code: 0 });
    expect(await lab.tracefs.read('trace')).toMatch(/leader goes on \{"code":3\}$/m);
  });

  it('the leader calling exit(2) leaves a thread writing to the shared fd; the status comes when it ends', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(PROG, { arg: { role: 'leaderexits' } });
    let ended = false;
    void t.exited.then(() => (ended = true));
    expect(await within(10_000, 'group', t.exited), t.error).toEqual({ code: 2 }); // the leader's own code (no exit_group)
    expect(ended).toBe(true);
    const trace = await lab.tracefs.read('trace');
    for (let i = 0; i < 5; i++) expect(trace, trace).toMatch(new RegExp(`tw ${i}$`, 'm'));
    const p = await lab.spawn(PROG, { arg: { role: 'parent', child: 'leaderexits' } });
    expect(await within(10_000, 'parent', p.exited), p.error).toEqual({ code: 0 });
    expect(await lab.tracefs.read('trace')).toMatch(/waited \{"code":2,"pid":\d+\}/);
  });
});
