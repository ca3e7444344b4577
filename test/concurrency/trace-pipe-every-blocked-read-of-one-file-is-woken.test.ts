// Claim: several reads blocked on ONE open trace_pipe / trace_pipe_raw / tracepipe file (two read()
// calls on one handle, as threads sharing an fd make) are each ended by close() and by lab.shutdown(),
// and data wakes them: none is left pending (each used to overwrite the other's wait slot).
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const PATHS = { pipe: 'trace_pipe', raw: 'per_cpu/cpu0/trace_pipe_raw', chan: 'tracepipe/c1' } as const;

describe('concurrent blocked reads on one open pipe file', () => {
  const boot = useLabs();

  it.each(Object.keys(PATHS) as (keyof typeof PATHS)[])('%s: close() ends all three blocked reads with ""', async (kind) => {
    const lab = await boot({ cpus: 2 });
    lab.tracepipe.create('c1');
    const h = await lab.tracefs.open(PATHS[kind]);
    const reads = [h.read(4096), h.read(4096), h.read(4096)];
    await new Promise((r) => setTimeout(r, 50)); // let each reach its wait
    await h.close();
    expect(await within(5000, 'blocked reads after close', Promise.all(reads))).toEqual(['', '', '']);
  });

  it.each(Object.keys(PATHS) as (keyof typeof PATHS)[])('%s: lab.shutdown() ends both blocked reads', async (kind) => {
    const lab = await boot({ cpus: 2 });
    lab.tracepipe.create('c1');
    const h = await lab.tracefs.open(PATHS[kind]);
    const reads = [h.read(4096), h.read(4096)];
    await new Promise((r) => setTimeout(r, 50));
    await lab.shutdown();
    expect(await within(5000, 'blocked reads after shutdown', Promise.all(reads))).toEqual(['', '']);
  });

  it('trace_pipe: a marker line reaches exactly one of two blocked reads, the other still ends on close', async () => {
    const lab = await boot({ cpus: 2 });
    const h = await lab.tracefs.open('trace_pipe');
    const reads = [h.read(4096), h.read(4096)];
    await new Promise((r) => setTimeout(r, 50));
    await lab.tracefs.write('trace_marker', 'only-once');
    const first = await within(5000, 'a read woken by data', Promise.race(reads));
    expect(first).toMatch(/only-once/);
    await h.close();
    const both = await within(5000, 'both reads', Promise.all(reads));
    expect(both.filter((t) => t.includes('only-once'))).toHaveLength(1);
    expect(both.filter((t) => t === '')).toHaveLength(1);
  });
});
