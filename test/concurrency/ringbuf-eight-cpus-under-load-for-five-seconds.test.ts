// Claim (issue #3's load test): 8 CPU buffers under load for 5 s, each with its CPU actor (local
// commits) and 2 task writers (remote commits), while a share of every writer's reservations is
// committed later by another thread (a task that migrated between reserve and commit): every event
// is read intact and in per-writer order, or counted under exactly one loss counter, and the in-band
// loss records add up to the counters. 25 writer/committer threads share the 2 cores of CI.
// TRACELAB_RINGBUF_MS changes the duration, TRACELAB_SEED the seed (printed on failure).
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer, type RingMode } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';
import { MAILBOX_BYTES } from '../../src/selftest/ring-mailbox.js';
import type { StressWriterData as WriterData } from '../../src/selftest/ring-stress-worker.js';
import {
  type Drained, SequenceVerifier, drainCpu, durationMs, emptyDrained, startCommitter, startWriter, terminateAll, total, within,
} from '../fixtures/ringbuf-harness.js';

afterEach(async () => {
  expect(await terminateAll()).toBe(0);
});

const CPUS = 8;
const TASKS_PER_CPU = 2;

describe.each<RingMode>(['discard', 'overwrite'])('ringbuf %s mode, 8 CPUs x (actor + 2 tasks)', (mode) => {
  it('keeps attempts == read + losses per CPU, in-band losses == counters, nothing torn', { timeout: 60_000 }, async () => {
    const seed = testSeed(mode === 'discard' ? 0x8c51 : 0x8c52);
    const ring = RingBuffer.create({ cpus: CPUS, subbufSize: 1024, subbufsPerCpu: 8, mode });
    const control = new SharedArrayBuffer(8);
    const cpus = Array.from({ length: CPUS }, (_, c) => c);
    const specs: WriterData[] = [];
    const boxes: SharedArrayBuffer[] = [];
    const add = (cpuList: number[], ownerCpu: number, migrateShare: number): void => {
      const mailbox = new SharedArrayBuffer(MAILBOX_BYTES);
      boxes.push(mailbox);
      const writerId = 100 + specs.length;
      specs.push({ handle: ring.handle, control, mode: 'write', maxExtra: 64, writerId, cpus: cpuList, ownerCpu, seed: seed + writerId, migrateShare, mailbox });
    };
    for (const cpu of cpus) {
      add([cpu], cpu, 0.1); // the CPU actor: local commits, a few handed to another thread
      // Task writers: mostly on this CPU, sometimes on its neighbour (a migration between events),
      // a third of their reservations committed from the committer thread (migration within one).
      for (let t = 0; t < TASKS_PER_CPU; t++) add([cpu, cpu, cpu, (cpu + 1) % CPUS], -1, 0.3);
    }
    const writers = specs.map((s) => startWriter(s));
    const committer = startCommitter({ handle: ring.handle, mailboxes: boxes, seed: seed + 1 });
    const v = new SequenceVerifier();
    const per: Drained[] = cpus.map(() => emptyDrained());
    const end = clockNs() + durationMs(5000) * 1e6;
    for (let i = 0; clockNs() < end; i++) {
      const cpu = i % CPUS;
      // A slow watermark reader: wakes on 2 full pages (or 20 ms), takes a bounded bite, moves on.
      await ring.waitForDataAsync(cpu, { watermarkPages: 2, deadlineNs: Math.min(end, clockNs() + 20e6) });
      drainCpu(ring, cpu, v, per[cpu]!, 512);
    }
    Atomics.store(new Int32Array(control), 0, 1); // publish: stop
    const reports = await within(Promise.all(writers.map((w) => w.done)), 20_000, 'writers to stop');
    const { commits } = await within(committer.done, 20_000, 'committer to drain');
    for (const cpu of cpus) drainCpu(ring, cpu, v, per[cpu]!);
    const tag = (what: string): string => withSeed(seed, `${mode}: ${what}`);
    expect(v.errors.slice(0, 5), tag('torn or out-of-order events')).toEqual([]);
    let events = 0;
    const lost = { overrun: 0, dropped: 0, commitOverrun: 0 };
    for (const cpu of cpus) {
      const st = ring.stats(cpu);
      const d = per[cpu]!;
      const at = (what: string): string => tag(`cpu ${cpu}: ${what} ${JSON.stringify({ st, d })}`);
      expect(total(reports, 'nulls', cpu), at('nulls == dropped + commit overrun')).toBe(st.droppedEvents + st.commitOverrun);
      expect(total(reports, 'attempts', cpu), at('attempts == read + every loss')).toBe(d.events + st.droppedEvents + st.commitOverrun + st.overrun);
      expect(d.lost, at('in-band losses == counters')).toEqual({ overrun: st.overrun, dropped: st.droppedEvents, 'commit-overrun': st.commitOverrun, 'dead-writer': 0 });
      if (mode === 'discard') expect(st.overrun, at('discard mode never overwrites')).toBe(0);
      expect(d.events, at('every CPU was written and read')).toBeGreaterThan(0);
      events += d.events;
      lost.overrun += st.overrun;
      lost.dropped += st.droppedEvents;
      lost.commitOverrun += st.commitOverrun;
    }
    // The slow reader must have forced losses, or the loss accounting was not exercised.
    expect(lost.overrun + lost.dropped + lost.commitOverrun, tag('losses under load')).toBeGreaterThan(0);
    expect(commits, tag('remote commits from the committer thread')).toBeGreaterThan(0);
    console.log(`ringbuf ${mode} 8x(1+${TASKS_PER_CPU}) seed=${seed}: read ${events}, lost ${JSON.stringify(lost)}, migrated commits ${commits}`);
  });
});
