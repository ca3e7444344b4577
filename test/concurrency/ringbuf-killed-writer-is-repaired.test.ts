// Claim: a writer terminated (SIGKILL) between reserve and commit stalls its CPU buffer only until
// the control plane calls repairDeadWriter: its reservation becomes dead-writer padding, counted
// in stats and reported in-band, and reading and writing go on. Real worker, really terminated.
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer, type RingMode } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';
import { waitWordAsync } from '../../src/shm/wait.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';
import { EVENT_MIN, EVENT_TYPE, encodeInto } from '../fixtures/ringbuf-events.js';
import { SequenceVerifier, drainCpu, emptyDrained, startWriter, terminateAll } from '../fixtures/ringbuf-harness.js';

afterEach(async () => {
  expect(await terminateAll()).toBe(0);
});

describe.each<RingMode>(['discard', 'overwrite'])('ringbuf %s mode, killed writer', (mode) => {
  it('stalls until repairDeadWriter, then counts the loss and flows again', async () => {
    const seed = testSeed(0xdead);
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 4, mode }, { writerId: 1 });
    const control = new SharedArrayBuffer(8);
    const ctl = new Int32Array(control);
    const victim = startWriter({
      handle: ring.handle, control, mode: 'park', writerId: 77, cpus: [0], ownerCpu: -1, seed, maxExtra: 0, migrateShare: 0,
    });
    expect(await waitWordAsync(ctl, 1, 0, { deadlineNs: clockNs() + 10e9 })).toBe('ok');
    expect(Atomics.load(ctl, 1), 'victim holds a reservation').toBe(1);
    await victim.worker.terminate(); // SIGKILL between reserve and commit
    await victim.done.catch(() => undefined);

    const v = new SequenceVerifier();
    const got = emptyDrained();
    let seq = 0;
    let attempts = 0;
    const writeSome = (n: number): void => {
      for (let i = 0; i < n; i++) {
        attempts++;
        const r = ring.reserve(0, EVENT_MIN, EVENT_TYPE);
        if (r === null) continue;
        encodeInto(r, 1, 0, seq++);
        ring.commit(r);
      }
    };
    // Before repair: the reader is stuck behind the dead reservation and writers start losing events.
    writeSome(200);
    drainCpu(ring, 0, v, got);
    expect(got.events, withSeed(seed, 'nothing readable past the dead reservation')).toBe(0);
    const stalled = ring.stats(0);
    expect(stalled.droppedEvents + stalled.commitOverrun, withSeed(seed, 'the stall costs events')).toBeGreaterThan(0);

    const rep = ring.repairDeadWriter(77);
    expect(rep.events).toBe(1);
    drainCpu(ring, 0, v, got);
    writeSome(200);
    drainCpu(ring, 0, v, got);
    const st = ring.stats(0);
    expect(v.errors, withSeed(seed, 'sequence errors')).toEqual([]);
    expect(st.deadWriterEvents).toBe(1);
    expect(got.lost['dead-writer']).toBe(1);
    expect(got.events, withSeed(seed, 'events flow after repair')).toBeGreaterThan(stalled.entries);
    expect(attempts, withSeed(seed, 'attempts == read + losses')).toBe(got.events + st.droppedEvents + st.commitOverrun + st.overrun);
    expect(got.lost.dropped + got.lost['commit-overrun'] + got.lost.overrun).toBe(st.droppedEvents + st.commitOverrun + st.overrun);
  });
});
