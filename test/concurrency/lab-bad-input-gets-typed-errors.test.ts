import { describe, expect, it } from 'vitest';
import { KernelError, Lab } from '../../src/index.js';
import { fixture, useLabs } from '../helpers/lab-fixture.js';

describe('bad input gets a typed error and the lab keeps working', () => {
  const boot = useLabs();

  it.each([0, -1, 1.5, 1025])('Lab.boot({ cpus: %s }) rejects with EINVAL naming the range', async (cpus) => {
    const err = await Lab.boot({ cpus }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ code: 'EINVAL', errno: expect.any(Number) as number, syscall: 'boot' });
    expect((err as Error).message).toMatch(/1\.\.1024/);
  });

  it('spawn errors: affinity to a missing CPU, empty affinity, a missing module', async () => {
    const lab = await boot({ cpus: 2 });
    await expect(lab.spawn(fixture('task-exit-code'), { affinity: [2] })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(lab.spawn(fixture('task-exit-code'), { affinity: [] })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(lab.spawn(fixture('no-such-module'))).rejects.toMatchObject({ code: 'ENOENT' });
    const t = await lab.spawn(fixture('task-exit-code'), { arg: { code: 3 } });
    expect(await t.exited).toEqual({ code: 3 });
  });

  it('tracefs errors: unknown path ENOENT, read-only EACCES, bad value EINVAL, directory EISDIR; values survive', async () => {
    const lab = await boot({ cpus: 2 });
    await expect(lab.tracefs.read('no_such_file')).rejects.toMatchObject({ code: 'ENOENT', path: 'no_such_file', errno: expect.any(Number) as number });
    await expect(lab.tracefs.write('available_tracers', 'nop')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(lab.tracefs.write('current_tracer', 'bogus')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(lab.tracefs.write('tracing_on', '2')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(lab.tracefs.read('per_cpu')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(await lab.tracefs.read('current_tracer')).toBe('nop\n');
    expect(await lab.tracefs.read('/sys/kernel/debug/tracing/tracing_on')).toBe('1\n');
    await lab.tracefs.write('tracing_on', '0\n');
    expect(await lab.tracefs.read('/sys/kernel/tracing/tracing_on')).toBe('0\n');
    const err = await lab.tracefs.read('nope').catch((e: unknown) => e);
    expect((err as Error).message).toBe('read ENOENT: nope');
  });
});
