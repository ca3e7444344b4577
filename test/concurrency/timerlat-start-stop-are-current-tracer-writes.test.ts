// Claim: lab.timerlat.start() / stop() are the public, consistent path: they are the writes of
// current_tracer timerlat / nop (current_tracer, running and state agree after each), they resolve
// when done, and the control plane's hooks (dispose, onNotice, …) are not on the public object.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

describe('timerlat start/stop', () => {
  const boot = useLabs();

  it('start() and stop() switch current_tracer, running and state together; samples flow only between', async () => {
    const lab = await boot({ cpus: 2 });
    const tl = lab.timerlat;
    await tl.start();
    expect(await lab.tracefs.read('current_tracer')).toBe('timerlat\n');
    expect(tl.running).toBe(true);
    expect(tl.state).toBe('running');
    await within(5000, 'first irq samples', (async () => {
      while (tl.snapshot().some((c) => c.irq.count === 0)) await new Promise((r) => setTimeout(r, 10));
    })());
    await tl.stop();
    expect(await lab.tracefs.read('current_tracer')).toBe('nop\n');
    expect(tl.running).toBe(false);
    expect(tl.state).toBe('off');
    const counts = tl.snapshot().map((c) => c.irq.count);
    expect(counts.every((n) => n > 0)).toBe(true);
    // A tracefs write and start() are the same thing: the tracer runs again.
    await lab.tracefs.write('current_tracer', 'timerlat');
    expect(tl.running).toBe(true);
    await tl.stop();
    expect(tl.running).toBe(false);
  });

  it('the control plane hooks are not public; start() after shutdown is ESHUTDOWN', async () => {
    const lab = await boot({ cpus: 1 });
    const tl = lab.timerlat as unknown as Record<string, unknown>;
    for (const hook of ['dispose', 'onNotice', 'onMigrate', 'tracingOnWritten', 'tracerStarted', 'tracerStopped']) expect(tl[hook], hook).toBeUndefined();
    expect(lab.timerlat.start.length).toBe(0);
    await lab.shutdown();
    await expect(lab.timerlat.start()).rejects.toMatchObject({ code: 'ESHUTDOWN' });
    await expect(lab.timerlat.stop()).rejects.toMatchObject({ code: 'ESHUTDOWN' });
    expect(lab.timerlat.running).toBe(false);
  });
});
