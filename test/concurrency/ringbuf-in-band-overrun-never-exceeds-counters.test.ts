// Claim: in overwrite mode the in-band overrun ("CPU:N [LOST M EVENTS]") never runs ahead of the
// counters: it only ever reports events that stay lost, so once everything is drained the in-band sum
// equals stats().overrun, whatever the reader did while an overwriter was retiring the page under it.
// Two interleavings that used to over-report, each forced at the exact instruction:
//  1. real worker: the overwriter parks just before its CLAIM CAS on the oldest unread page while the
//     reader drains (and so finishes that page first, or only part of it: seeded);
//  2. in process: the reader, out of data mid-page, is "descheduled" right where it loads OVERRUN_RAW
//     while a writer laps the buffer and retires that very page.
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ringbuf/index.js';
import { bankIdx, makeCore } from '../../src/ringbuf/core.js';
import { B_OVERRUN_RAW } from '../../src/ringbuf/layout.js';
import { clockNs } from '../../src/shm/clock.js';
import { waitWordAsync } from '../../src/shm/wait.js';
import { mulberry32, randInt, testSeed, withSeed } from '../helpers/seeded-rng.js';
import {
  type Drained, SequenceVerifier, drainCpu, emptyDrained, startPausedOverwriter, terminateAll, total, within,
} from '../fixtures/ringbuf-harness.js';
import { PAUSE_GO, PAUSE_PARKED } from '../fixtures/ringbuf-pause-words.js';

afterEach(async () => {
  expect(await terminateAll()).toBe(0);
});

/** One round: the overwriter parks in its first retire; the reader consumes `take` records meanwhile. */
async function parkedRetireRound(seed: number, take: number): Promise<{ during: number; drained: Drained; overrun: number; attempts: number; errors: string[] }> {
  const ring = RingBuffer.create({ cpus: 1, subbufSize: 512, subbufsPerCpu: 4, mode: 'overwrite' });
  const control = new SharedArrayBuffer(8);
  const pause = new SharedArrayBuffer(8);
  const pv = new Int32Array(pause);
  const w = startPausedOverwriter({
    handle: ring.handle, writerId: 1, cpus: [0], ownerCpu: 0, seed, control, mode: 'write', maxExtra: 40, migrateShare: 0, pause,
  });
  const r = await waitWordAsync(pv, PAUSE_PARKED, 0, { deadlineNs: clockNs() + 10e9 });
  const parked = Atomics.load(pv, PAUSE_PARKED); // acquire: the writer published it before parking
  expect(r === 'ok' && parked === 1, withSeed(seed, 'the writer parked in its first page retire')).toBe(true);
  const v = new SequenceVerifier();
  const drained = emptyDrained();
  drainCpu(ring, 0, v, drained, take); // the overwriter sits between reading CLAIM and its CAS
  const during = drained.lost.overrun;
  Atomics.store(new Int32Array(control), 0, 1); // publish: stop after the reserve in flight (no second retire)
  Atomics.store(pv, PAUSE_GO, 1); // publish: let the CAS happen
  Atomics.notify(pv, PAUSE_GO);
  const report = await within(w.done, 10_000, 'the parked writer to finish');
  drainCpu(ring, 0, v, drained);
  const attempts = total([report], 'attempts', 0);
  expect(total([report], 'nulls', 0), withSeed(seed, 'one writer never drops')).toBe(0);
  return { during, drained, overrun: ring.stats(0).overrun, attempts, errors: v.errors };
}

describe('ringbuf in-band overrun', () => {
  it('a reader that finishes the page an overwriter is retiring reports no loss for it (real worker)', async () => {
    const seed = testSeed(0x0c1a);
    const res = await parkedRetireRound(seed, Infinity);
    expect(res.errors.slice(0, 5), withSeed(seed, 'sequence errors')).toEqual([]);
    expect(res.during, withSeed(seed, 'in-band overrun while the overwriter was parked (the reader had read every one of those events)')).toBe(0);
    expect(res.drained.lost.overrun, withSeed(seed, 'in-band overrun == stats().overrun')).toBe(res.overrun);
    expect(res.attempts, withSeed(seed, 'attempts == read + overrun')).toBe(res.drained.events + res.overrun);
  });

  it('whatever part of that page the reader got first, in-band == counters (real worker, seeded)', async () => {
    const seed = testSeed(0x0c1b);
    const rng = mulberry32(seed);
    for (let round = 0; round < 6; round++) {
      const take = round === 0 ? 0 : randInt(rng, 1, 90); // 4 pages of 8..16 events, plus loss records
      const res = await parkedRetireRound(seed + round, take);
      const why = `round ${round}, reader took ${take} records while the overwriter was parked`;
      expect(res.errors.slice(0, 5), withSeed(seed, `${why}: sequence errors`)).toEqual([]);
      expect(res.drained.lost.overrun, withSeed(seed, `${why}: in-band overrun == stats().overrun`)).toBe(res.overrun);
      expect(res.attempts, withSeed(seed, `${why}: attempts == read + overrun`)).toBe(res.drained.events + res.overrun);
    }
  });

  it('a reader that checks for losses mid-page while its page is recycled does not report the events it read', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 512, subbufsPerCpu: 4, mode: 'overwrite' });
    const core = makeCore(ring.handle.params, ring.handle.memory, ring.handle.dataOffset);
    const rawIdx = bankIdx(core, 0, 0) + B_OVERRUN_RAW;
    const payload = new Uint8Array(16); // 24 B records: 20 per 480 B page
    const v = { events: 0, overrun: 0 };
    const take = (rec: ReturnType<RingBuffer['consumeView']>): boolean => {
      if (rec === null) return false;
      if (rec.kind === 'lost') v.overrun += rec.lostReason === 'overrun' ? rec.lostCount : 0;
      else v.events++;
      return true;
    };
    let written = 0;
    for (; written < 3; written++) ring.write(0, 7, payload, written);
    while (take(ring.consumeView(0)));
    expect(v.events).toBe(3); // the cursor sits mid-page 0 with 3 events read from it
    const realLoad = Atomics.load;
    let fired = false;
    // The reader, out of data, has re-checked its page's CLAIM and now loads OVERRUN_RAW; right there
    // a writer laps the ring (page 0 is retired: its 3 read events are counted as overrun too).
    Atomics.load = function (this: typeof Atomics, ta: Int32Array, index: number): number {
      if (!fired && ta.buffer === ring.handle.memory.buffer && ta.byteOffset === 0 && index === rawIdx) {
        fired = true;
        for (const end = written + 100; written < end; written++) ring.write(0, 7, payload, written);
      }
      return realLoad(ta, index);
    } as unknown as typeof Atomics.load;
    try {
      take(ring.consumeView(0));
    } finally {
      Atomics.load = realLoad;
    }
    expect(fired, 'the reader reached its overrun check').toBe(true);
    while (take(ring.consumeView(0)));
    const st = ring.stats(0);
    expect(st.overrun).toBeGreaterThan(0);
    expect(v.overrun, 'in-band overrun == stats().overrun').toBe(st.overrun);
    expect(written, 'written == read + overrun').toBe(v.events + st.overrun);
  });
});
