// Claim: in discard mode with a slow reader, every reserve attempt is either read back intact and
// in order, or counted as dropped (reported in-band): attempts == read + dropped, exactly, per CPU.
// Real workers: two CPU actors (local commits) and one task writer on both CPUs (remote commits).
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';
import {
  type Drained, SequenceVerifier, drainCpu, durationMs, emptyDrained, startWriter, terminateAll, total, within,
} from '../fixtures/ringbuf-harness.js';
import type { StressWriterData as WriterData } from '../../src/selftest/ring-stress-worker.js';

afterEach(async () => {
  expect(await terminateAll()).toBe(0);
});

describe('ringbuf discard mode', () => {
  it('counts every drop: attempts == read + dropped, no torn or reordered event', async () => {
    const seed = testSeed(0xd15c);
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 1024, subbufsPerCpu: 8, mode: 'discard' });
    const control = new SharedArrayBuffer(8);
    const base = { handle: ring.handle, control, mode: 'write', maxExtra: 48, migrateShare: 0 } as const;
    const writers = [
      startWriter({ ...base, writerId: 1, cpus: [0], ownerCpu: 0, seed: seed + 1 } satisfies WriterData),
      startWriter({ ...base, writerId: 2, cpus: [1], ownerCpu: 1, seed: seed + 2 }),
      startWriter({ ...base, writerId: 3, cpus: [0, 1], ownerCpu: -1, seed: seed + 3 }),
    ];
    const v = new SequenceVerifier();
    const per: Drained[] = [emptyDrained(), emptyDrained()];
    const end = clockNs() + durationMs(1000) * 1e6;
    for (let i = 0; clockNs() < end; i++) {
      const cpu = i & 1;
      // Slow reader: wake on a two-page watermark, then take only a few records.
      await ring.waitForDataAsync(cpu, { watermarkPages: 2, deadlineNs: Math.min(end, clockNs() + 20e6) });
      drainCpu(ring, cpu, v, per[cpu]!, 20);
    }
    Atomics.store(new Int32Array(control), 0, 1); // publish: stop
    const reports = await within(Promise.all(writers.map((w) => w.done)), 10_000, 'writers to stop');
    for (const cpu of [0, 1]) drainCpu(ring, cpu, v, per[cpu]!);
    expect(v.errors.slice(0, 5), withSeed(seed, 'sequence errors')).toEqual([]);
    for (const cpu of [0, 1]) {
      const st = ring.stats(cpu);
      const d = per[cpu]!;
      const attempts = total(reports, 'attempts', cpu);
      const nulls = total(reports, 'nulls', cpu);
      expect(st.droppedEvents, withSeed(seed, `cpu ${cpu}: slow reader made writers drop`)).toBeGreaterThan(0);
      expect(nulls, withSeed(seed, `cpu ${cpu}: nulls == dropped + commit overrun`)).toBe(st.droppedEvents + st.commitOverrun);
      expect(attempts, withSeed(seed, `cpu ${cpu}: attempts == read + dropped`)).toBe(d.events + st.droppedEvents + st.commitOverrun);
      expect(d.lost.dropped + d.lost['commit-overrun'], withSeed(seed, `cpu ${cpu}: in-band loss`)).toBe(st.droppedEvents + st.commitOverrun);
      expect(d.lost.overrun).toBe(0);
      expect(st.readEvents).toBe(d.events);
      expect(st.entries).toBe(0);
    }
  });
});
