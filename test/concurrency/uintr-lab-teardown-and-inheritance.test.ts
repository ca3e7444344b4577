// Claim: teardown both ways and inheritance, with real lab tasks. A receiver that exits or is SIGKILLed
// mid-storm leaves its senders sending silently (no fault) and new connections get ESHUTDOWN; a sender
// that exits has its UITT freed. Threads and forked children get no handler, no UITT and UIF = 0;
// the uintr fd is shared with threads, copied at fork (the way to hand it to another process, as is
// lab.uintr.getfd) and closed on exec.
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';
import type { Lab, Task } from '../../src/index.js';

const BOUND_MS = 30_000;

async function child(lab: Lab, mbox: Int32Array): Promise<Task> {
  await expect.poll(() => Atomics.load(mbox, 2), { timeout: BOUND_MS }).not.toBe(0);
  const pid = Atomics.load(mbox, 2);
  // The child may already have ended (a short storm), so look it up among ended tasks too.
  const t = lab.task(pid);
  if (t === undefined) throw new Error(`sender child ${pid} is unknown to the lab`);
  return t;
}

describe('uintr teardown and inheritance (real lab tasks)', () => {
  const boot = useLabs();

  it('a thread, a forked child and an exec get nothing uintr but the fd (shared, copied, closed on exec)', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-inherit'));
    expect(await within(BOUND_MS, 'uintr-inherit', t.exited), t.error).toEqual({ code: 0 });
  });

  it('a receiver that exits: its sender keeps sending without a fault, then connecting is ESHUTDOWN', async () => {
    const lab = await boot({ cpus: 2 });
    const mbox = new Int32Array(new SharedArrayBuffer(64));
    const rx = await lab.spawn(fixture('uintr-teardown'), { arg: { mbox: mbox.buffer, rx: 20 } });
    const tx = await child(lab, mbox);
    expect(await within(BOUND_MS, 'receiver', rx.exited), rx.error).toEqual({ code: 0 });
    expect(await within(BOUND_MS, 'sender', tx.exited), tx.error).toEqual({ code: 0 });
    expect(lab.uintr.upidOf(rx.pid)).toBeUndefined();
  });

  it('a receiver SIGKILLed mid-storm (in or out of uintr_wait): the sender notices nothing', async () => {
    const lab = await boot({ cpus: 2 });
    const mbox = new Int32Array(new SharedArrayBuffer(64));
    const rx = await lab.spawn(fixture('uintr-teardown'), { arg: { mbox: mbox.buffer, linger: true } });
    const tx = await child(lab, mbox);
    await expect.poll(() => Atomics.load(mbox, 0), { timeout: BOUND_MS }).toBe(1); // sender connected
    expect(lab.uintr.receiverState(rx.pid)).toBe('registered');
    await new Promise((r) => setTimeout(r, 100)); // let the storm run
    await lab.kill(rx.pid, 'SIGKILL');
    expect(await within(BOUND_MS, 'killed receiver', rx.exited)).toEqual({ signal: 'SIGKILL' });
    expect(await within(BOUND_MS, 'sender', tx.exited), tx.error).toEqual({ code: 0 });
    expect(Atomics.load(mbox, 3)).toBeGreaterThan(0);
  });

  it('a sender that exits has its UITT freed (slot released, the receiver UPID reusable)', async () => {
    const lab = await boot({ cpus: 2 });
    const mbox = new Int32Array(new SharedArrayBuffer(64));
    const rx = await lab.spawn(fixture('uintr-teardown'), { arg: { mbox: mbox.buffer, linger: true } });
    const tx = await child(lab, mbox);
    await expect.poll(() => Atomics.load(mbox, 0), { timeout: BOUND_MS }).toBe(1);
    expect(lab.uintr.connectionsOf(tx.pid)).toBe(1);
    expect(lab.uintr.senderSlotOf(tx.pid)).toBeTypeOf('number');
    await lab.kill(rx.pid, 'SIGKILL');
    expect(await within(BOUND_MS, 'sender', tx.exited), tx.error).toEqual({ code: 0 });
    expect(lab.uintr.senderSlotOf(tx.pid)).toBeUndefined();
    expect(lab.uintr.connectionsOf(tx.pid)).toBe(0);
  });

  it('lab.uintr.getfd hands a uintr fd to a task of another process (pidfd_getfd); typed errors otherwise', async () => {
    const lab = await boot({ cpus: 2 });
    const rxBox = new Int32Array(new SharedArrayBuffer(64));
    const txBox = new Int32Array(new SharedArrayBuffer(64));
    const rx = await lab.spawn(fixture('uintr-recv'), { arg: { mbox: rxBox.buffer } });
    await expect.poll(() => Atomics.load(rxBox, 0), { timeout: BOUND_MS }).toBe(1);
    // An unrelated process (no fd of its own yet, so the handed fd becomes its fd 3) that sends once.
    const tx = await lab.spawn(fixture('uintr-send'), { arg: { fds: [3], sends: 1, mbox: txBox.buffer, awaitGo: true } });
    expect(lab.uintr.getfd(rx.pid, 3, tx.pid)).toBe(3);
    expect(() => lab.uintr.getfd(rx.pid, 99, tx.pid)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => lab.uintr.getfd(424242, 3, tx.pid)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    Atomics.add(txBox, 0, 1);
    Atomics.notify(txBox, 0);
    expect(await within(BOUND_MS, 'sender', tx.exited), tx.error).toEqual({ code: 0 });
    expect(await within(BOUND_MS, 'receiver', rx.exited), rx.error).toEqual({ code: 0 });
  });
});
