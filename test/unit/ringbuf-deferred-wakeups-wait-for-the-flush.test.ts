// Claim: a writer attached with `deferWakeups` (the CPU actor's ring, ftrace's irq_work) never wakes
// a waiting reader from inside commit; flushWakeups() does, once per owed CPU. A writer without the
// option wakes it from the commit. Single thread: the reader waits with Atomics.waitAsync, which
// only a kick (Atomics.notify) or its deadline can end.
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** Start a reader wait on cpu 0 (any data), commit one event through `writer`, let the loop turn. */
async function waitThenCommit(ring: RingBuffer, writer: RingBuffer): Promise<{ settled: () => string | undefined; done: Promise<string> }> {
  let result: string | undefined;
  const done = ring.waitForDataAsync(0, { watermarkPages: 0, deadlineNs: clockNs() + 20e9 }).then((r) => (result = r));
  await turns(3); // the wait is parked: WAITERS is set
  writer.write(0, 1, new Uint8Array(8));
  await turns(20); // a kick from the commit would have ended the wait by now
  return { settled: () => result, done };
}

describe('ring buffer deferred wake-ups', () => {
  it('a deferred writer wakes the reader at flushWakeups(), not at commit', async () => {
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 256, subbufsPerCpu: 4 });
    const writer = RingBuffer.attach(ring.handle, { ownerCpu: 0, deferWakeups: true });
    const w = await waitThenCommit(ring, writer);
    expect(w.settled()).toBeUndefined();
    writer.flushWakeups();
    expect(await w.done).toBe('ok');
    writer.flushWakeups(); // nothing owed any more: a no-op
  });

  it('a writer without the option wakes the reader from the commit', async () => {
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 256, subbufsPerCpu: 4 });
    const writer = RingBuffer.attach(ring.handle, { ownerCpu: 0 });
    const w = await waitThenCommit(ring, writer);
    expect(await w.done).toBe('ok'); // woken by the commit's kick (else 'timed-out', after 20 s)
  });
});
