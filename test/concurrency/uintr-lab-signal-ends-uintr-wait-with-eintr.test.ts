// Claim: uintr_wait is an interruptible sleep (man page: it returns -1/EINTR once a handler ran). A
// catchable signal with a handler, sent to a lab task asleep in uintr_wait, wakes it at once: the
// signal handler runs and the call returns EINTR; sent from the control plane (lab.kill) or from
// another task (ctx.kill). An ignored or a blocked signal does not end the wait (it times out), and a
// blocked one is delivered when unblocked. Programs: dist/src/selftest/programs/uintr-signal.js.
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';
import type { Lab } from '../../src/index.js';

const BOUND_MS = 30_000;

/** Resolve once `pid` sleeps in uintr_wait (its UPID's UW bit), polling the control plane's view. */
async function inUintrWait(lab: Lab, pid: number): Promise<void> {
  await expect.poll(() => lab.uintr.isWaiting(pid), { timeout: BOUND_MS, interval: 5 }).toBe(true);
}

describe('a signal ends uintr_wait with EINTR after its handler ran (real lab tasks)', () => {
  const boot = useLabs();

  it('SIGUSR1 from the control plane (lab.kill) wakes a receiver in uintr_wait', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-signal'), { arg: { role: 'waiter', mode: 'handled' } });
    await inUintrWait(lab, t.pid);
    await lab.kill(t.pid, 'SIGUSR1');
    expect(await within(BOUND_MS, 'uintr-signal waiter', t.exited), t.error).toEqual({ code: 0 });
  });

  it('SIGUSR1 from another task (ctx.kill) wakes a receiver in uintr_wait', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-signal'), { arg: { role: 'waiter', mode: 'handled' } });
    const mbox = new SharedArrayBuffer(4);
    const killer = await lab.spawn(fixture('uintr-signal'), { arg: { role: 'killer', mbox, pid: t.pid, sig: 'SIGUSR1' } });
    await inUintrWait(lab, t.pid);
    const go = new Int32Array(mbox);
    Atomics.add(go, 0, 1); // publish: the killer sends once it sees this
    Atomics.notify(go, 0);
    expect(await within(BOUND_MS, 'uintr-signal killer', killer.exited), killer.error).toEqual({ code: 0 });
    expect(await within(BOUND_MS, 'uintr-signal waiter', t.exited), t.error).toEqual({ code: 0 });
  });

  it('an ignored (SIGUSR2) or blocked (SIGUSR1) signal does not end the wait; unblocking delivers it', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-signal'), { arg: { role: 'waiter', mode: 'ignored' } });
    await inUintrWait(lab, t.pid);
    await lab.kill(t.pid, 'SIGUSR2');
    await lab.kill(t.pid, 'SIGUSR1');
    expect(await within(BOUND_MS, 'uintr-signal ignored', t.exited), t.error).toEqual({ code: 0 });
  });

  it('SIGKILL still ends a receiver in uintr_wait', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-signal'), { arg: { role: 'waiter', mode: 'handled' } });
    await inUintrWait(lab, t.pid);
    await lab.kill(t.pid, 'SIGKILL');
    expect(await within(BOUND_MS, 'uintr-signal SIGKILL', t.exited)).toEqual({ signal: 'SIGKILL' });
  });
});
