import { describe, expect, it } from 'vitest';
import type { CpuFault } from '../../src/index.js';
import { useLabs, within } from '../helpers/lab-fixture.js';

describe('CPU actor faults', () => {
  const boot = useLabs();

  it.each(['throw', 'exit'] as const)('an injected %s is reported; other CPUs keep working; shutdown leaves no worker', async (mode) => {
    const lab = await boot({ cpus: 3 });
    const fault = new Promise<CpuFault>((r) => lab.once('fault', r));
    lab.injectFault(1, mode);
    const f = await within(10_000, 'fault report', fault);
    expect(f.cpu).toBe(1);
    expect(lab.faults).toHaveLength(1);
    expect(lab.cpuStats()[1]!.state).toBe('crashed');
    await expect(lab.ipiRoundTrip(1, 0)).rejects.toMatchObject({ code: 'EIO' });
    await expect(lab.ipiRoundTrip(0, 1)).rejects.toMatchObject({ code: 'EIO' });
    expect(await lab.ipiRoundTrip(0, 2, 2)).toHaveLength(2);
    await within(15_000, 'shutdown after crash', lab.shutdown());
    expect(lab.workers).toEqual({ cpu: 0, task: 0 });
  });
});
