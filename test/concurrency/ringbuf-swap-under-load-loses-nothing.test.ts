// Claim: swapCpu exchanges a CPU's live buffer with its spare while writers keep writing (seed 002:
// read the spare until empty, then swap). Writers are never blocked, a commit in flight across the
// swap lands in the bank it reserved in, and every attempt is read once or counted (dropped, or
// overrun when the swap's clear of the spare skipped it).
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';
import { MAILBOX_BYTES } from '../../src/selftest/ring-mailbox.js';
import {
  type Drained, SequenceVerifier, drainCpu, durationMs, emptyDrained, startCommitter, startWriter, terminateAll, total, within,
} from '../fixtures/ringbuf-harness.js';

afterEach(async () => {
  expect(await terminateAll()).toBe(0);
});

describe('ringbuf swapCpu', () => {
  it('swaps under load without losing or duplicating an event', async () => {
    const seed = testSeed(0x5a9);
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 1024, subbufsPerCpu: 4, mode: 'discard', spare: true });
    const control = new SharedArrayBuffer(8);
    const box = new SharedArrayBuffer(MAILBOX_BYTES);
    const base = { handle: ring.handle, control, mode: 'write', maxExtra: 32 } as const;
    const writers = [
      startWriter({ ...base, writerId: 1, cpus: [0], ownerCpu: 0, seed: seed + 1, migrateShare: 0 }),
      startWriter({ ...base, writerId: 2, cpus: [1], ownerCpu: 1, seed: seed + 2, migrateShare: 0 }),
      startWriter({ ...base, writerId: 3, cpus: [0, 1], ownerCpu: -1, seed: seed + 3, migrateShare: 0.5, mailbox: box }),
    ];
    const committer = startCommitter({ handle: ring.handle, mailboxes: [box], seed: seed + 4 });
    // Records may come out of per-writer order across banks (a late commit in a bank read later).
    const v = new SequenceVerifier(false);
    const per: Drained[] = [emptyDrained(), emptyDrained()];
    const swaps = [0, 0];
    const end = clockNs() + durationMs(1000) * 1e6;
    while (clockNs() < end) {
      for (const cpu of [0, 1]) {
        drainCpu(ring, cpu, v, per[cpu]!, 500, 'spare');
        if (ring.peekView(cpu, 'spare') === null) {
          ring.swapCpu(cpu);
          swaps[cpu]!++;
        }
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    Atomics.store(new Int32Array(control), 0, 1); // publish: stop
    const reports = await within(Promise.all(writers.map((w) => w.done)), 10_000, 'writers to stop');
    await within(committer.done, 10_000, 'committer to drain');
    for (const cpu of [0, 1]) {
      drainCpu(ring, cpu, v, per[cpu]!, Infinity, 'spare');
      drainCpu(ring, cpu, v, per[cpu]!, Infinity, 'live');
    }
    expect(v.errors.slice(0, 5), withSeed(seed, 'duplicates or torn events')).toEqual([]);
    for (const cpu of [0, 1]) {
      const a = ring.stats(cpu, 'live');
      const b = ring.stats(cpu, 'spare');
      // overrun: a late commit that landed in the spare after the last drain and before the swap cleared it.
      const lost = a.droppedEvents + a.commitOverrun + a.overrun + b.droppedEvents + b.commitOverrun + b.overrun;
      expect(swaps[cpu], 'swapped many times').toBeGreaterThan(2);
      expect(total(reports, 'attempts', cpu), withSeed(seed, `cpu ${cpu}: attempts == read + lost`)).toBe(per[cpu]!.events + lost);
      expect(per[cpu]!.lost.dropped + per[cpu]!.lost['commit-overrun'] + per[cpu]!.lost.overrun, withSeed(seed, `cpu ${cpu}: in-band`)).toBe(lost);
      expect(a.readEvents + b.readEvents).toBe(per[cpu]!.events);
    }
  });
});
