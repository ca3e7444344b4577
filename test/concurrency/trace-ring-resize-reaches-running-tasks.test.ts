// Claim: buffer_size_kb replaces the ring (tracing off only), and a task that attached the old ring
// before the resize writes its later events into the new one, as the CPU actors do: in user mode the
// task itself writes timerlat's `thread` samples, and a long-lived task's samples after a resize show
// in `trace` (the irq and user-ret samples come from the CPU actor).
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

const BOUND_MS = 30_000;
const LOOPS = 20;

describe('a buffer_size_kb resize reaches tasks that are already running', () => {
  const boot = useLabs();

  it('thread samples of a task that attached the old ring land in the new ring', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
    await lab.tracefs.write('current_tracer', 'timerlat');
    const mbox = new Int32Array(new SharedArrayBuffer(8));
    const t = await lab.spawn(fixture('timerlat-fd-rounds'), { arg: { cpu: 1, loops: LOOPS, rounds: 2, mbox: mbox.buffer } });
    await expect.poll(() => Atomics.load(mbox, 0), { timeout: BOUND_MS }).toBe(1);
    const thread = (text: string): number => text.split('\n').filter((l) => /context\s+thread/.test(l)).length;
    expect(thread(await lab.tracefs.read('trace'))).toBe(LOOPS); // the task attached the first ring

    const before = Number((await lab.tracefs.read('buffer_size_kb')).trim());
    await lab.tracefs.write('tracing_on', '0');
    await lab.tracefs.write('buffer_size_kb', String(before * 2));
    await lab.tracefs.write('tracing_on', '1');
    expect(Number((await lab.tracefs.read('buffer_size_kb')).trim())).toBe(before * 2);
    expect(thread(await lab.tracefs.read('trace'))).toBe(0); // a new, empty ring

    Atomics.store(mbox, 1, 1);
    expect(await within(BOUND_MS, 'second round', t.exited), t.error).toEqual({ code: 0 });
    const lines = (await lab.tracefs.read('trace')).split('\n');
    expect(thread(lines.join('\n'))).toBe(LOOPS);
    expect(lines.filter((l) => /context\s+irq/.test(l)).length).toBeGreaterThanOrEqual(LOOPS);
  });
});
