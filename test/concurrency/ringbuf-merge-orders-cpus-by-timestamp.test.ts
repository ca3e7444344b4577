// Claim: read() merges the per-CPU buffers by timestamp: with one CPU-actor writer per CPU stamping
// events with the shared clock (real workers, concurrently), the merged stream never goes back in
// time and holds every event exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ringbuf/index.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';
import { SequenceVerifier, startWriter, terminateAll, total, within } from '../fixtures/ringbuf-harness.js';

afterEach(async () => {
  expect(await terminateAll()).toBe(0);
});

describe('ringbuf merged read', () => {
  it('orders events from concurrently written CPUs by timestamp', async () => {
    const seed = testSeed(0x3e63);
    const ring = RingBuffer.create({ cpus: 3, subbufSize: 4096, subbufsPerCpu: 64, mode: 'discard' });
    const control = new SharedArrayBuffer(8);
    const writers = [0, 1, 2].map((cpu) => startWriter({
      handle: ring.handle, control, mode: 'write', writerId: cpu + 1, cpus: [cpu], ownerCpu: cpu, seed: seed + cpu,
      maxExtra: 16, migrateShare: 0, maxAttempts: 3000,
    }));
    const reports = await within(Promise.all(writers.map((w) => w.done)), 20_000, 'writers to finish');
    const v = new SequenceVerifier();
    let last = -Infinity;
    let back = 0;
    for (let rec = ring.readView(); rec !== null; rec = ring.readView()) {
      expect(rec.kind).toBe('event');
      if (rec.tsNs < last) back++;
      last = rec.tsNs;
      v.add(rec.payload, rec.cpu, rec.payloadLength);
    }
    expect(v.errors.slice(0, 5), withSeed(seed, 'sequence errors')).toEqual([]);
    expect(back, withSeed(seed, 'merged stream went back in time')).toBe(0);
    expect(v.events).toBe(total(reports, 'attempts'));
  });
});
