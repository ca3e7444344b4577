// Worker entry of `tracelab stress ring` (and the ring concurrency tests): commits reservations that
// other threads reserved, as a task that migrated between reserve and commit does (seed 001), in a
// random order across the writers' mailboxes. Runs until every mailbox is finished and empty, then
// posts how many it committed. Never blocks on a writer: an idle round sleeps 50 µs (a bounded
// Atomics.wait that only its timeout ends), so a quiet committer does not burn a core.
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer, type RingHandle } from '../ringbuf/index.js';
import { mulberry32 } from '../shm/prng.js';
import { Mailbox } from './ring-mailbox.js';

/** What the starter passes in workerData. */
export interface CommitterData {
  readonly handle: RingHandle;
  readonly mailboxes: readonly SharedArrayBuffer[];
  readonly seed: number;
}

/** The one message the committer posts. */
export interface CommitterReport {
  readonly type: 'done';
  readonly commits: number;
}

const d = workerData as CommitterData;
const ring = RingBuffer.attach(d.handle, { writerId: 999_999 });
const boxes = d.mailboxes.map((m) => new Mailbox(m));
const rng = mulberry32(d.seed);
const ref = { cpu: 0, offset: 0, h0: 0, h1: 0 };
const nap = new Int32Array(new SharedArrayBuffer(4)); // never notified: Atomics.wait on it is a sleep
let commits = 0;
for (;;) {
  let idle = true;
  const start = Math.floor(rng() * boxes.length);
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[(start + i) % boxes.length]!;
    if (box.pop(ref)) {
      ring.commit(ref);
      commits++;
      idle = false;
    }
  }
  if (idle && boxes.every((b) => b.finished())) {
    let late = false; // a push may have landed between our pop and the finished check
    for (const box of boxes) {
      while (box.pop(ref)) {
        ring.commit(ref);
        commits++;
        late = true;
      }
    }
    if (!late) break;
  } else if (idle) {
    Atomics.wait(nap, 0, 0, 0.05); // a 50 µs nap, ended by its timeout
  }
}
parentPort!.postMessage({ type: 'done', commits } satisfies CommitterReport);
