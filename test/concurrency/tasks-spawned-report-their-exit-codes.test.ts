import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

describe('user tasks', () => {
  const boot = useLabs();

  it('50 tasks spawned at once each exit with their own code', async () => {
    const lab = await boot({ cpus: 4 });
    const tasks = await Promise.all(
      Array.from({ length: 50 }, (_, i) => lab.spawn(fixture('task-exit-code'), { arg: { code: i }, affinity: [i % 4] })),
    );
    expect(new Set(tasks.map((t) => t.pid)).size).toBe(50);
    const exits = await within(60_000, '50 tasks', Promise.all(tasks.map((t) => t.exited)));
    expect(exits).toEqual(Array.from({ length: 50 }, (_, i) => ({ code: i })));
    expect(tasks.every((t) => t.state === 'exited')).toBe(true);
  });

  it('a module that throws exits with code 1 and its stack is reported', async () => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(fixture('task-throws'));
    expect(await t.exited).toEqual({ code: 1 });
    expect(t.error).toMatch(/fixture failure: deliberately thrown/);
    expect(t.error).toMatch(/programs\/throws\.js/);
  });

  it('the control-plane syscalls work from a task: tracefs, errors, clone, waitpid, exec', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('task-syscalls'));
    const st = await within(20_000, 'task-syscalls', t.exited);
    expect(st, t.error).toEqual({ code: 0 });
  });

  it('a handled signal interrupts nanosleep with EINTR', async () => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(fixture('task-sigusr'));
    // The handler is installed before nanosleep, so once the task blocks the signal must interrupt it.
    await expect.poll(() => lab.schedState(t.pid), { timeout: 10_000 }).toBe('blocked');
    await lab.kill(t.pid, 'SIGUSR2');
    expect(await within(10_000, 'sigusr task', t.exited)).toEqual({ code: 42 });
  });

  it('an unhandled SIGTERM ends the task with that signal', async () => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(fixture('task-sleeper'));
    await lab.kill(t.pid, 'SIGTERM');
    expect(await within(10_000, 'sleeper', t.exited)).toEqual({ signal: 'SIGTERM' });
  });
});
