import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { clockNs } from '../../src/shm/clock.js';
import { sleep, take } from '../../src/shm/doorbell.js';
import { readConsistent } from '../../src/shm/seqcount.js';
import { waitWord } from '../../src/shm/wait.js';
import { testSeed, withSeed } from '../helpers/seeded-rng.js';

const WORKER = new URL('../../dist/test/fixtures/shm-worker.js', import.meta.url);

function start(data: object): { worker: Worker; done: Promise<void> } {
  const worker = new Worker(WORKER, { workerData: data });
  const done = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exit ${code}`))));
  });
  return { worker, done };
}

describe('src/shm across real workers', () => {
  it('clock stamps taken around a SAB hand-off come out in order in both threads', async () => {
    const n = 2000;
    const sab = new SharedArrayBuffer(64);
    const log = new SharedArrayBuffer(n * 2 * 8);
    const i32 = new Int32Array(sab);
    const { worker, done } = start({ mode: 'clock-pingpong', sab, log, n });
    const mine = new Float64Array(n * 2); // [i*2] before handing over, [i*2+1] after getting it back
    try {
      for (let i = 0; i < n; i++) {
        mine[2 * i] = clockNs();
        Atomics.store(i32, 0, 2 * i + 1);
        Atomics.notify(i32, 0);
        while (Atomics.load(i32, 0) !== 2 * i + 2) waitWord(i32, 0, 2 * i + 1, { deadlineNs: clockNs() + 5e9 });
        mine[2 * i + 1] = clockNs();
      }
      await done;
    } finally {
      await worker.terminate();
    }
    const theirs = new Float64Array(log);
    for (let i = 0; i < n; i++) {
      expect(theirs[2 * i]!, `round ${i}: worker received before main sent`).toBeGreaterThanOrEqual(mine[2 * i]!);
      expect(mine[2 * i + 1]!, `round ${i}: main got it back before worker sent`).toBeGreaterThanOrEqual(theirs[2 * i + 1]!);
    }
  });

  it('a doorbell never loses a wake-up: every ring is seen without sleeping to the deadline', async () => {
    const seed = testSeed(0xd00b);
    const n = 20_000;
    const sab = new SharedArrayBuffer(64);
    const i32 = new Int32Array(sab);
    const { worker, done } = start({ mode: 'ring', sab, n, seed });
    let timeouts = 0;
    try {
      while (Atomics.load(i32, 3) < n) {
        const seen = Atomics.load(i32, 3);
        const r = sleep(i32, 1, clockNs() + 2e9);
        take(i32, 1);
        if (r === 'timed-out' && Atomics.load(i32, 3) !== seen) timeouts++;
        if (r === 'timed-out' && Atomics.load(i32, 3) === seen) break; // producer died: fail below
      }
      await done;
    } finally {
      await worker.terminate();
    }
    expect(Atomics.load(i32, 3), withSeed(seed, 'rings counted')).toBe(n);
    expect(timeouts, withSeed(seed, 'sleeps that ran to the deadline although a ring had landed')).toBe(0);
  });

  it('a seqcount reader never sees a torn triple while a worker writes', async () => {
    const n = 200_000;
    const sab = new SharedArrayBuffer(64);
    const i32 = new Int32Array(sab);
    const f64 = new Float64Array(sab);
    const { worker, done } = start({ mode: 'seq-writer', sab, n });
    let reads = 0;
    let finished = false;
    void done.then(() => (finished = true));
    try {
      while (!finished || reads === 0) {
        const { value, torn } = readConsistent(i32, 4, () => [f64[4]!, f64[5]!, f64[6]!] as const);
        if (!torn) {
          expect(value[0] + value[1]).toBe(0);
          expect(value[2]).toBe(value[0] * 2);
          reads++;
        }
        await new Promise((r) => setImmediate(r));
      }
      await done;
    } finally {
      await worker.terminate();
    }
    expect(reads).toBeGreaterThan(0);
  });
});
