// Worker entry of `tracelab stress ring`: one writer (a CPU actor committing locally on its own
// CPU, or a migrating task committing remotely on random CPUs) that writes checkable events until
// the shared stop word is set, then posts its per-CPU attempt and drop counts once.
// Runs in its own worker thread; never blocks (the only wait-free exit is the stop word).
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer, type RingHandle } from '../ringbuf/index.js';
import { mulberry32 } from '../shm/prng.js';
import { STRESS_EVENT_TYPE, encodeStressEvent } from './ring-stress-events.js';

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
  ring.commit(r);
}
parentPort!.postMessage({ writerId: d.writerId, attempts, nulls } satisfies StressWriterReport);
