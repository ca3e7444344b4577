import { describe, expect, it } from 'vitest';
import type { Lab } from '../../src/index.js';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

async function userMode(lab: Lab): Promise<void> {
  await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
  await lab.tracefs.write('current_tracer', 'timerlat');
}

async function opens(lab: Lab, arg: object, affinity?: number[]): Promise<unknown> {
  const t = await lab.spawn(fixture('timerlat-open'), { arg, ...(affinity ? { affinity } : {}) });
  return within(20_000, 'timerlat-open', t.exited);
}

describe('timerlat_fd (user-space interface)', () => {
  const boot = useLabs();

  it('the seed example: a pinned task loops on read and gets irq, thread and user-ret samples on its CPU', async () => {
    const lab = await boot({ cpus: 2 });
    await userMode(lab);
    const t = await lab.spawn(fixture('timerlat-fd'), { arg: { cpu: 1, loops: 100 } });
    expect(await within(30_000, 'fd loop', t.exited), t.error).toEqual({ code: 0 });
    const s = lab.timerlat.snapshot()[1]!;
    expect(s.irq.count).toBe(100);
    expect(s.thread.count).toBe(100);
    expect(s.user.count).toBe(99); // each read after the first records the previous user-ret
    expect(lab.timerlat.snapshot()[0]!.irq.count).toBe(0);
    for (const ctx of [s.irq, s.thread, s.user]) expect(ctx.minNs!).toBeGreaterThanOrEqual(0);
    expect(s.thread.minNs!).toBeGreaterThanOrEqual(s.irq.minNs!); // the thread wakes after its IRQ
  });

  it('open() errors come in the kernel order: EINVAL (not timerlat / workload set), EBUSY (current CPU held), EPERM (not pinned)', async () => {
    const lab = await boot({ cpus: 2 });
    expect(await opens(lab, { cpu: 0, pin: [0] })).toEqual({ code: 10 }); // tracer is nop
    await lab.tracefs.write('current_tracer', 'timerlat');
    expect(await opens(lab, { cpu: 0, pin: [0] })).toEqual({ code: 10 }); // OSNOISE_WORKLOAD still set
    await lab.tracefs.write('current_tracer', 'nop');
    await userMode(lab);
    expect(await opens(lab, { cpu: 0 }, [0, 1])).toEqual({ code: 12 }); // affinity has two CPUs
    expect(await opens(lab, { cpu: 1, pin: [0] })).toEqual({ code: 12 }); // pinned elsewhere
    const holder = await lab.spawn(fixture('timerlat-open'), { arg: { cpu: 0, pin: [0], hold: true } });
    await expect.poll(() => lab.timerlat.snapshot()[0]!.irq.count, { timeout: 10_000 }).toBeGreaterThan(2);
    // EBUSY wins over EPERM: the caller runs on the held CPU 0 even though it asks for cpu1's file unpinned.
    expect(await opens(lab, { cpu: 1 }, [0])).toEqual({ code: 11 });
    expect(await opens(lab, { cpu: 0, pin: [0] })).toEqual({ code: 11 });
    await lab.kill(holder.pid, 'SIGKILL');
    await holder.exited;
    expect(await opens(lab, { cpu: 0, pin: [0] })).toEqual({ code: 0 }); // the CPU can be opened again
  });

  it('a second open by the holder is EBUSY; a CPU that does not exist is ENOENT', async () => {
    const lab = await boot({ cpus: 2 });
    await userMode(lab);
    expect(await opens(lab, { cpu: 0, pin: [0], twice: true })).toEqual({ code: 11 });
    expect(await opens(lab, { cpu: 7, pin: [0] })).toEqual({ code: 13 });
  });

  it('migration while holding the fd: read fails with EINVAL, tracing stops with the taint, the task lives', async () => {
    const lab = await boot({ cpus: 2 });
    await userMode(lab);
    const stops: unknown[] = [];
    lab.timerlat.on('stop', (s) => stops.push(s));
    const t = await lab.spawn(fixture('timerlat-fd'), { arg: { cpu: 0, loops: 50, migrateTo: 1, migrateAfter: 5 } });
    expect(await within(20_000, 'migrating holder', t.exited)).toEqual({ code: 3 }); // EINVAL seen, exited normally
    expect(stops).toContainEqual({ kind: 'exception', cpu: 0, taint: 'timerlat user-thread migrated' });
    expect(await lab.tracefs.read('tracing_on')).toBe('0\n');
    expect(lab.timerlat.state).toBe('stopped');
  });

  it('changing the tracer SIGKILLs the holder and its worker is gone', async () => {
    const lab = await boot({ cpus: 2 });
    await userMode(lab);
    const t = await lab.spawn(fixture('timerlat-fd'), { arg: { cpu: 1, loops: 0 } });
    await expect.poll(() => lab.timerlat.snapshot()[1]!.thread.count, { timeout: 10_000 }).toBeGreaterThan(3);
    await lab.tracefs.write('current_tracer', 'nop');
    expect(await within(10_000, 'killed holder', t.exited)).toEqual({ signal: 'SIGKILL' });
    await expect.poll(() => lab.workers.task, { timeout: 10_000 }).toBe(0);
  });

  it('writing osnoise/cpus while running SIGKILLs the holder too', async () => {
    const lab = await boot({ cpus: 2 });
    await userMode(lab);
    const t = await lab.spawn(fixture('timerlat-fd'), { arg: { cpu: 0, loops: 0 } });
    await expect.poll(() => lab.timerlat.snapshot()[0]!.thread.count, { timeout: 10_000 }).toBeGreaterThan(3);
    await lab.tracefs.write('osnoise/cpus', '0-1');
    expect(await within(10_000, 'killed holder', t.exited)).toEqual({ signal: 'SIGKILL' });
  });
});
