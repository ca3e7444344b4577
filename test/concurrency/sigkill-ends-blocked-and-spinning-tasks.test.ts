import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

describe('SIGKILL', () => {
  const boot = useLabs();

  it('kills a task blocked in nanosleep and its worker is gone', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('task-sleeper'));
    await expect.poll(() => lab.workers.task, { timeout: 10_000 }).toBe(1);
    await lab.kill(t.pid, 'SIGKILL');
    expect(await within(10_000, 'killed sleeper', t.exited)).toEqual({ signal: 'SIGKILL' });
    expect(t.state).toBe('killed');
    await expect(lab.kill(t.pid, 9)).rejects.toMatchObject({ code: 'ESRCH' });
  });

  it('kills a task spinning in its own code (no syscall to interrupt)', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('task-spinner'));
    await new Promise((r) => setTimeout(r, 200)); // let it enter the loop
    await lab.kill(t.pid, 'SIGKILL');
    expect(await within(10_000, 'killed spinner', t.exited)).toEqual({ signal: 'SIGKILL' });
  });

  it('kill of an unknown pid is ESRCH and an unknown signal is EINVAL', async () => {
    const lab = await boot({ cpus: 1 });
    await expect(lab.kill(424242, 'SIGKILL')).rejects.toMatchObject({ code: 'ESRCH', syscall: 'kill' });
    const t = await lab.spawn(fixture('task-sleeper'), { arg: { ms: 50 } });
    await expect(lab.kill(t.pid, 'SIGNOPE')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await t.exited).toEqual({ code: 0 });
  });

  it('shutdown while tasks are blocked resolves within a bound and leaves no worker', async () => {
    const lab = await boot({ cpus: 2 });
    const tasks = await Promise.all(Array.from({ length: 6 }, () => lab.spawn(fixture('task-sleeper'))));
    await expect.poll(() => lab.workers.task, { timeout: 15_000 }).toBe(6);
    await within(15_000, 'shutdown with blocked tasks', lab.shutdown());
    expect(lab.workers).toEqual({ cpu: 0, task: 0 });
    for (const t of tasks) expect(await t.exited).toEqual({ signal: 'SIGKILL' });
  });
});
