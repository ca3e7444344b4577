// Worker entry of `tracelab stress ring`: one writer (a CPU actor committing locally on its own
// CPU, or a migrating task committing remotely on random CPUs) that writes checkable events until
// the shared stop word is set, then posts its per-CPU attempt and drop counts once. A task writer
// hands a share of its reservations to the committer thread through its mailbox (it migrated
// between reserve and commit).
// Runs in its own worker thread; never blocks (the only wait-free exit is the stop word).
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer, type RingHandle } from '../ringbuf/index.js';
import { mulberry32 } from '../shm/prng.js';
import { STRESS_EVENT_TYPE, encodeStressEvent } from './ring-stress-events.js';
import { Mailbox } from './ring-mailbox.js';

/** What the stress passes in workerData. */
export interface StressWriterData {
  readonly handle: RingHandle;
  readonly writerId: number;
  readonly cpus: readonly number[];
  readonly ownerCpu: number;
  readonly seed: number;
  /** Int32 word [0]: stop flag. */
  readonly control: SharedArrayBuffer;
  readonly maxExtra: number;
  /** Share of reservations committed by the committer thread instead, 0..1. @default 0 */
  readonly migrateShare?: number;
  /** This writer's mailbox to the committer (with migrateShare > 0). */
  readonly mailbox?: SharedArrayBuffer;
}

/** The one message a writer posts. */
export interface StressWriterReport {
  readonly writerId: number;
  readonly attempts: number[];
  readonly nulls: number[];
}

const d = workerData as StressWriterData;
const ring = RingBuffer.attach(d.handle, { writerId: d.writerId, ownerCpu: d.ownerCpu });
const stop = new Int32Array(d.control);
const n = d.handle.params.cpus;
const attempts = new Array<number>(n).fill(0);
const nulls = new Array<number>(n).fill(0);
const seqs = new Array<number>(n).fill(0);
const rnd = mulberry32(d.seed);
const mailbox = d.mailbox === undefined ? undefined : new Mailbox(d.mailbox);
const share = d.migrateShare ?? 0;
while (Atomics.load(stop, 0) === 0) { // acquire: the stress's stop flag
  const cpu = d.cpus[Math.floor(rnd() * d.cpus.length)]!;
  const len = 16 + Math.floor(rnd() * (d.maxExtra + 1));
  attempts[cpu]!++;
  const r = ring.reserve(cpu, len, STRESS_EVENT_TYPE);
  if (r === null) {
    nulls[cpu]!++;
    continue;
  }
  encodeStressEvent(r, d.writerId, cpu, seqs[cpu]!++);
  if (mailbox !== undefined && rnd() < share && mailbox.push(r)) continue; // committed from the committer thread
  ring.commit(r);
}
mailbox?.finish();
parentPort!.postMessage({ writerId: d.writerId, attempts, nulls } satisfies StressWriterReport);
