// Claim: a whole-file read of a stream file (trace_pipe, per_cpu/cpuN/trace_pipe_raw,
// osnoise/per_cpu/cpuN/timerlat_fd) fails with EINVAL saying it must be opened, not with the false
// "EACCES write-only file"; opening it and reading the open file still works.
import { describe, expect, it } from 'vitest';
import { useLabs } from '../helpers/lab-fixture.js';

describe('reading a stream file as a whole file', () => {
  const boot = useLabs();

  it.each(['trace_pipe', 'per_cpu/cpu1/trace_pipe_raw', 'osnoise/per_cpu/cpu0/timerlat_fd', '/sys/kernel/tracing/trace_pipe'])('read(%s) is EINVAL naming open()', async (path) => {
    const lab = await boot({ cpus: 2 });
    const err = await lab.tracefs.read(path).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EINVAL', syscall: 'read', path });
    expect((err as Error).message).toMatch(/stream file.*lab\.tracefs\.open/);
    expect((err as Error).message).not.toMatch(/write-only/);
  });

  it('opening trace_pipe and reading the handle returns what trace_marker wrote', async () => {
    const lab = await boot({ cpus: 1 });
    const h = await lab.tracefs.open('trace_pipe');
    await lab.tracefs.write('trace_marker', 'hello-pipe');
    expect(await h.read()).toMatch(/hello-pipe/);
    await h.close();
  });
});
