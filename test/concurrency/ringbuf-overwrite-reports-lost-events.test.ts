// Claim: in overwrite mode the oldest pages are recycled under a slow reader, and every event is
// either read back intact and in order or counted as overrun and reported in-band
// ("CPU:N [LOST M EVENTS]"): attempts == read + overrun, exactly. One CPU-actor writer per CPU.
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer, formatLost } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';
import {
  type Drained, SequenceVerifier, drainCpu, durationMs, emptyDrained, startWriter, terminateAll, total, within,
} from '../fixtures/ringbuf-harness.js';

afterEach(async () => {
  expect(await terminateAll()).toBe(0);
});

describe('ringbuf overwrite mode', () => {
  it('reports overwritten events in-band: attempts == read + overrun, nothing torn', async () => {
    const seed = testSeed(0x0e11);
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 512, subbufsPerCpu: 4, mode: 'overwrite' });
    const control = new SharedArrayBuffer(8);
    const base = { handle: ring.handle, control, mode: 'write', maxExtra: 40, migrateShare: 0 } as const;
    const writers = [0, 1].map((cpu) => startWriter({ ...base, writerId: 10 + cpu, cpus: [cpu], ownerCpu: cpu, seed: seed + cpu }));
    const v = new SequenceVerifier();
    const per: Drained[] = [emptyDrained(), emptyDrained()];
    const lines: string[] = [];
    const end = clockNs() + durationMs(1000) * 1e6;
    for (let i = 0; clockNs() < end; i++) {
      const cpu = i & 1;
      await ring.waitForDataAsync(cpu, { deadlineNs: Math.min(end, clockNs() + 20e6) });
      const before = per[cpu]!.lost.overrun;
      drainCpu(ring, cpu, v, per[cpu]!, 15);
      if (per[cpu]!.lost.overrun !== before && lines.length < 3) lines.push(formatLost(cpu, per[cpu]!.lost.overrun - before));
    }
    Atomics.store(new Int32Array(control), 0, 1); // publish: stop
    const reports = await within(Promise.all(writers.map((w) => w.done)), 10_000, 'writers to stop');
    for (const cpu of [0, 1]) drainCpu(ring, cpu, v, per[cpu]!);
    expect(v.errors.slice(0, 5), withSeed(seed, 'sequence errors')).toEqual([]);
    expect(lines[0]).toMatch(/^CPU:[01] \[LOST \d+ EVENTS\]$/);
    for (const cpu of [0, 1]) {
      const st = ring.stats(cpu);
      const d = per[cpu]!;
      const attempts = total(reports, 'attempts', cpu);
      expect(total(reports, 'nulls', cpu), withSeed(seed, 'one writer per CPU never drops')).toBe(0);
      expect(st.overrun, withSeed(seed, `cpu ${cpu}: the slow reader was overrun`)).toBeGreaterThan(0);
      expect(attempts, withSeed(seed, `cpu ${cpu}: attempts == read + overrun`)).toBe(d.events + st.overrun);
      expect(d.lost.overrun, withSeed(seed, `cpu ${cpu}: in-band overrun`)).toBe(st.overrun);
      expect(st.readEvents).toBe(d.events);
    }
  });
});
