import { describe, expect, it } from 'vitest';
import type { MigrateEvent } from '../../src/index.js';
import { fixture, useLabs } from '../helpers/lab-fixture.js';

describe('migration', () => {
  const boot = useLabs();

  it('sched_setaffinity from the task moves it: sched_getcpu and the sched_migrate_task hook agree', async () => {
    const lab = await boot({ cpus: 4 });
    const seen: MigrateEvent[] = [];
    lab.on('sched_migrate_task', (ev) => seen.push(ev));
    const t = await lab.spawn(fixture('task-affinity'), { affinity: [0], arg: { cpu: 3 } });
    expect(await t.exited).toEqual({ code: 3 });
    expect(seen).toEqual([{ pid: t.pid, comm: 'affinity', origCpu: 0, destCpu: 3 }]);
  });

  it('an injected migration from the control plane is seen by the running task', async () => {
    const lab = await boot({ cpus: 2 });
    const seen: MigrateEvent[] = [];
    lab.on('sched_migrate_task', (ev) => seen.push(ev));
    const t = await lab.spawn(fixture('task-sleeper'), { affinity: [0, 1] });
    const from = lab.cpuOf(t.pid);
    await lab.migrate(t.pid, 1 - from);
    expect(lab.cpuOf(t.pid)).toBe(1 - from);
    expect(seen).toEqual([{ pid: t.pid, comm: 'sleeper', origCpu: from, destCpu: 1 - from }]);
    await expect(lab.setAffinity(t.pid, [])).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(lab.setAffinity(t.pid, [9])).rejects.toMatchObject({ code: 'EINVAL' });
    await lab.setAffinity(t.pid, [from]);
    expect(lab.cpuOf(t.pid)).toBe(from);
    expect(seen).toHaveLength(2);
  });
});
