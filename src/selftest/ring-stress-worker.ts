// Worker entry of `tracelab stress ring` and of the ring buffer concurrency tests: one writer (a CPU
// actor committing locally on its own CPU, or a migrating task committing remotely on random CPUs)
// that writes checkable events until the shared stop word is set (or maxAttempts), then posts its
// per-CPU attempt and drop counts once. A task writer hands a share of its reservations to the
// committer thread through its mailbox (it migrated between reserve and commit). Mode 'park'
// reserves once and parks without committing, so a test can terminate() it mid-reservation.
// A share of the events that are not handed over go through the raw path (reserveRaw/commitRaw).
// Runs in its own worker thread; a writer never blocks (only 'park' waits, bounded, on the stop word).
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer, type RingHandle } from '../ringbuf/index.js';
import { mulberry32 } from '../shm/prng.js';
import { clockNs } from '../shm/clock.js';
import { waitWord } from '../shm/wait.js';
import { STRESS_EVENT_MIN, STRESS_EVENT_TYPE, encodeStressEvent, encodeStressEventRaw } from './ring-stress-events.js';
import { Mailbox } from './ring-mailbox.js';

/** What the starter passes in workerData. */
export interface StressWriterData {
  readonly handle: RingHandle;
  readonly writerId: number;
  /** CPUs this writer picks from at random. */
  readonly cpus: readonly number[];
  /** The CPU this worker is the actor of (local commits), or -1. */
  readonly ownerCpu: number;
  readonly seed: number;
  /** Int32 words: [0] stop flag, [1] parked flag (set in 'park' mode: 1 reserved, 2 the reserve failed). */
  readonly control: SharedArrayBuffer;
  /** 'park' reserves one event and parks until terminate() (or stop, or 30 s). @default 'write' */
  readonly mode?: 'write' | 'park';
  /** Extra payload bytes above STRESS_EVENT_MIN: uniform in [0, maxExtra]. */
  readonly maxExtra: number;
  /** Share of reservations committed by the committer thread instead, 0..1. @default 0 */
  readonly migrateShare?: number;
  /** Share of the other reservations written through reserveRaw/commitRaw, 0..1. @default 0.5 */
  readonly rawShare?: number;
  /** This writer's mailbox to the committer (with migrateShare > 0). */
  readonly mailbox?: SharedArrayBuffer;
  /** Stop after this many attempts even if the stop flag is not set. @default Infinity */
  readonly maxAttempts?: number;
}

/** The one message a writer posts when it stops. */
export interface StressWriterReport {
  readonly type: 'done';
  readonly writerId: number;
  /** Reserve calls per CPU. */
  readonly attempts: number[];
  /** Reserves that returned null per CPU. */
  readonly nulls: number[];
}

const d = workerData as StressWriterData;
const ring = RingBuffer.attach(d.handle, { writerId: d.writerId, ownerCpu: d.ownerCpu });
const control = new Int32Array(d.control);
const n = d.handle.params.cpus;
const attempts = new Array<number>(n).fill(0);
const nulls = new Array<number>(n).fill(0);
const seqs = new Array<number>(n).fill(0);
const rnd = mulberry32(d.seed);
const mailbox = d.mailbox === undefined ? undefined : new Mailbox(d.mailbox);
const share = d.migrateShare ?? 0;
const rawShare = d.rawShare ?? 0.5;
const bytes = ring.dataU8;
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
if (d.mode === 'park') {
  const cpu = d.cpus[0]!;
  const r = ring.reserve(cpu, STRESS_EVENT_MIN, STRESS_EVENT_TYPE);
  if (r !== null) encodeStressEvent(r, d.writerId, cpu, 0);
  Atomics.store(control, 1, r === null ? 2 : 1); // publish: the test may kill us now
  Atomics.notify(control, 1);
  waitWord(control, 0, 0, { deadlineNs: clockNs() + 30e9 }); // parked until terminate() (or stop)
} else {
  const max = d.maxAttempts ?? Infinity;
  if (control.length > 2) {
    Atomics.add(control, 2, 1); // RMW only: one more writer is writing (stress ring starts its clock at all)
    Atomics.notify(control, 2);
  }
  for (let tries = 0; Atomics.load(control, 0) === 0 && tries < max; tries++) { // acquire: the stop flag
    const cpu = d.cpus[Math.floor(rnd() * d.cpus.length)]!;
    const len = STRESS_EVENT_MIN + Math.floor(rnd() * (d.maxExtra + 1));
    attempts[cpu]!++;
    const handOver = mailbox !== undefined && rnd() < share; // decided first: a raw reservation cannot migrate
    if (!handOver && rnd() < rawShare) {
      const off = ring.reserveRaw(cpu, len, STRESS_EVENT_TYPE);
      if (off < 0) {
        nulls[cpu]!++;
        continue;
      }
      encodeStressEventRaw(bytes, view, off, len, d.writerId, cpu, seqs[cpu]!++);
      ring.commitRaw();
      continue;
    }
    const r = ring.reserve(cpu, len, STRESS_EVENT_TYPE);
    if (r === null) {
      nulls[cpu]!++;
      continue;
    }
    encodeStressEvent(r, d.writerId, cpu, seqs[cpu]!++);
    if (handOver && mailbox!.push(r)) continue; // committed from the committer thread
    ring.commit(r);
  }
}
mailbox?.finish();
parentPort!.postMessage({ type: 'done', writerId: d.writerId, attempts, nulls } satisfies StressWriterReport);
