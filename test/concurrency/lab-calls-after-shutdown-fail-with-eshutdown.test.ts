// Claim: once lab.shutdown() is called, every call that acts on the lab rejects at once with
// ESHUTDOWN (tracefs paths, timerlat prepare/setNoise, busy, armTimers, spawn), requests in flight
// are rejected with ESHUTDOWN too, and the tracer stays off. (A tracefs write used to succeed and
// prepare() waited 30 s for ETIMEDOUT.)
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/index.js';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

describe('calls after shutdown', () => {
  const boot = useLabs();

  it('in-flight busy/armTimers and every later call reject with ESHUTDOWN, at once', async () => {
    const lab = await boot({ cpus: 2 });
    const busy = lab.busy(0, 300_000).catch((e: unknown) => e);
    const timers = lab.armTimers(1, [lab.now() + 10e9]).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20)); // both requests reached their CPU
    await lab.shutdown();
    expect(await busy).toMatchObject({ code: 'ESHUTDOWN' });
    expect(await timers).toMatchObject({ code: 'ESHUTDOWN' });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['tracefs.write current_tracer', () => lab.tracefs.write('current_tracer', 'timerlat')],
      ['tracefs.read', () => lab.tracefs.read('current_tracer')],
      ['tracefs.open', () => lab.tracefs.open('trace_pipe')],
      ['tracefs.readdir', () => lab.tracefs.readdir()],
      ['timerlat.prepare', () => lab.timerlat.prepare()],
      ['timerlat.setNoise', () => lab.timerlat.setNoise([])],
      ['busy', () => lab.busy(0, 1)],
      ['armTimers', () => lab.armTimers(0, [1])],
      ['spawn', () => lab.spawn(fixture('task-exit-code'))],
    ];
    for (const [what, call] of calls) {
      const err = await within(2000, what, call().then(() => null, (e: unknown) => e));
      expect(err, what).toBeInstanceOf(KernelError);
      expect(err, what).toMatchObject({ code: 'ESHUTDOWN' });
    }
    expect(lab.timerlat.running).toBe(false);
    expect(lab.timerlat.state).not.toBe('running');
  });
});
