// Baseline worker: a raw Atomics.wait/notify ping-pong between two workers, nothing of ours in the
// loop (this is the yardstick, so it deliberately bypasses src/shm/wait.ts). Word 0 is the turn
// counter: odd = the ponger's turn, even = the pinger's. The pinger stamps each round trip.
import { workerData, parentPort } from 'node:worker_threads';

interface Data {
  role: 'ping' | 'pong';
  sab: SharedArrayBuffer;
  samples: SharedArrayBuffer;
  rounds: number;
}

const d = workerData as Data;
const i32 = new Int32Array(d.sab);
const out = new Float64Array(d.samples);
const now = (): number => Number(process.hrtime.bigint());

if (d.role === 'ping') {
  for (let r = 0; r < d.rounds; r++) {
    const t0 = now();
    Atomics.store(i32, 0, 2 * r + 1);
    Atomics.notify(i32, 0);
    while (Atomics.load(i32, 0) !== 2 * r + 2) Atomics.wait(i32, 0, 2 * r + 1, 1000);
    out[r] = now() - t0;
  }
} else {
  for (let r = 0; r < d.rounds; r++) {
    while (Atomics.load(i32, 0) !== 2 * r + 1) Atomics.wait(i32, 0, 2 * r, 1000);
    Atomics.store(i32, 0, 2 * r + 2);
    Atomics.notify(i32, 0);
  }
}
parentPort?.postMessage('done');
