// Claim: lab.kill refuses the job-control signals (SIGSTOP, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, by
// name or number) with EINVAL saying job control is not modelled, and the task keeps running
// (SIGSTOP used to end it with { signal: 'SIGSTOP' }); SIGTERM still ends it. ctx.kill from a task
// refuses them the same way (it used to queue them, and the target died).
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

describe('kill with a job-control signal', () => {
  const boot = useLabs();

  it('is EINVAL by name and number, and the sleeping task survives it', async () => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(fixture('task-sleeper'));
    const sigs = ['SIGSTOP', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', constants.signals.SIGSTOP, constants.signals.SIGCONT];
    for (const sig of sigs) {
      const err = await lab.kill(t.pid, sig).catch((e: unknown) => e);
      expect(err, String(sig)).toMatchObject({ code: 'EINVAL', syscall: 'kill' });
      expect((err as Error).message).toMatch(/job control.*not model/);
    }
    const still = await Promise.race([t.exited, new Promise((r) => setTimeout(() => r('alive'), 200))]);
    expect(still).toBe('alive');
    await lab.kill(t.pid, 'SIGTERM');
    expect(await within(5000, 'exit after SIGTERM', t.exited)).toEqual({ signal: 'SIGTERM' });
  });

  it('from a task (ctx.kill) is EINVAL too, and the target survives it', async () => {
    const lab = await boot({ cpus: 2 });
    const src = `export default function main(ctx, arg) {
      if (arg?.role === 'child') { ctx.nanosleep(400e6); return 9; }
      const c = ctx.clone({ arg: { role: 'child' } });
      const codes = [];
      for (const sig of ['SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGCONT', 19]) {
        try { ctx.kill(c, sig); codes.push('sent'); } catch (e) { codes.push(e.code + (/job control.*not model/.test(e.message) ? '' : ':' + e.message)); }
      }
      const st = ctx.waitpid(c);
      return codes.every((x) => x === 'EINVAL') && st.code === 9 ? 0 : 1;
    }`;
    const t = await lab.spawn(`data:text/javascript,${encodeURIComponent(src)}`);
    expect(await within(15_000, 'ctx.kill task', t.exited), t.error).toEqual({ code: 0 });
  });
});
