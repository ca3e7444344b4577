// kill(2) from a task fills siginfo's si_pid with the sender's tgid (lab.kill, from outside any task,
// leaves 0, as a kernel-sent signal); sigaction(2) refuses an action that is not a handler, 'SIG_IGN'
// or 'SIG_DFL' with EINVAL, and the signal's disposition is left unchanged.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const PROG = `data:text/javascript,${encodeURIComponent(`
export default function main(ctx, arg) {
  if (arg?.role === 'sender') { ctx.kill(arg.to, 'SIGUSR1'); return 0; }
  const got = [];
  ctx.sigaction('SIGUSR1', (sig, info) => got.push(info.si_pid));
  const bad = [];
  for (const a of [42, 'SIG_NOPE', null, {}]) { try { ctx.sigaction('SIGUSR1', a); bad.push('ok'); } catch (e) { bad.push(e.code); } }
  const senderPid = ctx.clone({ arg: { role: 'sender', to: ctx.getpid() } });
  for (;;) { try { ctx.waitpid(senderPid); break; } catch (e) { if (e.code !== 'EINTR') throw e; } } // its signal may interrupt the wait
  ctx.getpid(); // an interrupt point: the signal is taken
  ctx.kill(ctx.getpid(), 'SIGUSR1'); // to itself
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'ready ' + got.length);
  while (got.length < 3) { try { ctx.nanosleep(5e6); } catch (e) { if (e.code !== 'EINTR') throw e; } } // the lab sends the third
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'result ' + JSON.stringify({ me: ctx.getpid(), senderPid, got, bad }));
  return 0;
}`)}`;

describe('siginfo of kill and sigaction argument checks', () => {
  const boot = useLabs();

  it("si_pid is the sending task's tgid (0 from the lab), and a bad action is EINVAL and changes nothing", async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(PROG);
    // Once the first two signals were handled the task says so and waits for ours.
    await expect.poll(async () => /ready 2$/m.test(await lab.tracefs.read('trace')), { timeout: 10_000 }).toBe(true);
    await lab.kill(t.pid, 'SIGUSR1');
    expect(await within(15_000, 'siginfo task', t.exited), t.error).toEqual({ code: 0 });
    const trace = await lab.tracefs.read('trace');
    const r = JSON.parse(/result (\{.*\})$/m.exec(trace)?.[1] ?? 'null') as { me: number; senderPid: number; got: number[]; bad: string[] };
    expect(r, trace).toMatchObject({ bad: ['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL'] });
    expect(r.got).toEqual([r.senderPid, r.me, 0]);
  });
});
