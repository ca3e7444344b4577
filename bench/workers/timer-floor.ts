// Baseline worker for the timerlat latency floor: a bare absolute-deadline timer loop, nothing of
// ours in it (this is the yardstick, so it deliberately bypasses src/shm/wait.ts). Each period it
// sleeps in Atomics.wait until the deadline (sleeping again if the OS wakes it early, as the CPU
// actor does), stamps how late it woke, and moves the deadline on by one period, skipping periods
// already past. Writes one latency (ns) per activation into `samples` and the count into word 0 of
// `ctl`; stops when word 1 of `ctl` is set. Before the loop it sets its thread's timer slack as the
// lab's actors do (LabOptions.timerSlackNs, default 1 ns), so both sides sleep with the same slack.
import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_TIMER_SLACK_NS, setThreadTimerSlack } from '../../src/kernel/timer-slack.js';

interface Data {
  readonly periodNs: number;
  readonly ctl: SharedArrayBuffer;
  readonly samples: SharedArrayBuffer;
}

const d = workerData as Data;
setThreadTimerSlack(DEFAULT_TIMER_SLACK_NS);
const ctl = new Int32Array(d.ctl);
const out = new Float64Array(d.samples);
const sleeper = new Int32Array(new SharedArrayBuffer(4)); // nobody notifies it: only the timeout wakes us
const now = (): number => Number(process.hrtime.bigint());

let abs = now();
let n = 0;
while (Atomics.load(ctl, 1) === 0 && n < out.length) {
  abs += d.periodNs;
  const t = now();
  if (abs <= t) abs += Math.ceil((t - abs) / d.periodNs + 1e-9) * d.periodNs; // skip past periods
  for (let left = abs - now(); left > 0; left = abs - now()) Atomics.wait(sleeper, 0, 0, left / 1e6);
  out[n++] = now() - abs;
  Atomics.store(ctl, 0, n); // publish: the sample above
}
parentPort?.postMessage(n);
