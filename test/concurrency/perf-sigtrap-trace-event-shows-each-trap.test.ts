// Claim: every perf SIGTRAP leaves a perf:sigtrap line in the trace, with the task's pid, the
// watched address, the attr type and sig_data (the optional trace event of the issue).
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

describe('perf:sigtrap trace event', () => {
  const boot = useLabs();
  it('the sync program\'s traps appear in trace with their fields', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('perf-basics'), { arg: { case: 'sync' } });
    expect(await within(20_000, 'sync', t.exited), t.error).toEqual({ code: 0 });
    const lines = (await lab.tracefs.read('trace')).split('\n').filter((l) => l.includes(' sigtrap: '));
    expect(lines.length).toBe(5); // the sync case takes five traps
    expect(lines[0]).toMatch(new RegExp(`-${t.pid}\\s.*sigtrap: addr=0x10000 type=5 sig_data=0x[0-9a-f]+ flags=0 event=\\d+`));
  });
});
