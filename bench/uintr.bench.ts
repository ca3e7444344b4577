// Round trips between two real workers: senduipi to a polling receiver vs a raw Atomics spin ping-pong
// and vs MessagePort; senduipi to a receiver in uintr_wait vs raw Atomics.wait/notify (both through
// src/shm/wait.ts). Timing runs inside the pinging worker (clockNs), which posts its samples back.
// Also a single-thread tinybench pair: the cost of senduipi's post against a bare Atomics.or.
// Run: npx tsc -p tsconfig.json && node dist/bench/uintr.bench.js [iterations]
import { Worker, isMainThread, parentPort, workerData, MessageChannel, type MessagePort } from 'node:worker_threads';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { UintrTable, type UintrFd, type UintrTableHandle } from '../src/uintr/index.js';
import { clockNs } from '../src/shm/clock.js';
import { waitWord } from '../src/shm/wait.js';
import { printRatios, statsOf, statsOfSamples, type PathStats } from './lib/ratio.js';

/** The measured paths. */
type Path = 'spin' | 'uintr-poll' | 'msgport' | 'wait-notify' | 'uintr-wait';

interface PairData {
  readonly path: Path;
  readonly ping: boolean;
  readonly rounds: number;
  readonly warmup: number;
  readonly words: SharedArrayBuffer;
  readonly table: UintrTableHandle;
  readonly port?: MessagePort;
}

/** Spin-wait guard: a liveness bound for every busy loop (never reached on a healthy run). */
const SPIN_BOUND_NS = 10e9;

async function worker(d: PairData): Promise<void> {
  const out = parentPort!;
  const samples = new Float64Array(d.rounds);
  const w = new Int32Array(d.words); // [0] to pong, [1] to ping: sequence words
  const mine = d.ping ? 1 : 0;
  const theirs = d.ping ? 0 : 1;
  const total = d.rounds + d.warmup;
  if (d.path === 'msgport') {
    const port = d.port!;
    if (!d.ping) {
      let n = 0;
      port.on('message', () => { port.postMessage(0); if (++n === total) port.close(); });
      return;
    }
    for (let i = 0; i < total; i++) {
      const t0 = clockNs();
      port.postMessage(0);
      await once(port, 'message');
      if (i >= d.warmup) samples[i - d.warmup] = clockNs() - t0;
    }
    port.close();
    out.postMessage({ type: 'samples', samples }, [samples.buffer]);
    return;
  }
  if (d.path === 'spin' || d.path === 'wait-notify') {
    const block = d.path === 'wait-notify';
    let expect = 0;
    const awaitTurn = (): void => {
      expect++;
      if (block) {
        while (Atomics.load(w, mine) !== expect) waitWord(w, mine, expect - 1); // acquire: peer's add
      } else {
        const end = clockNs() + SPIN_BOUND_NS;
        for (let k = 1; Atomics.load(w, mine) !== expect; k++) { // acquire: peer's add
          if ((k & 1023) === 0 && clockNs() > end) throw new Error('spin bound');
        }
      }
    };
    const give = (): void => {
      Atomics.add(w, theirs, 1); // publish: the peer waits on this sequence word
      if (block) Atomics.notify(w, theirs);
    };
    out.postMessage({ type: 'ready' });
    for (let i = 0; i < total; i++) {
      if (d.ping) {
        const t0 = clockNs();
        give();
        awaitTurn();
        if (i >= d.warmup) samples[i - d.warmup] = clockNs() - t0;
      } else {
        awaitTurn();
        give();
      }
    }
    if (d.ping) out.postMessage({ type: 'samples', samples }, [samples.buffer]);
    return;
  }
  // uintr paths: each side is a receiver (vector 1) and a sender to the other.
  const table = UintrTable.attach(d.table);
  let got = 0;
  const rx = table.registerReceiver(() => { got++; });
  out.postMessage({ type: 'fd', fd: rx.createFd(1) });
  const [msg] = (await once(out, 'message')) as [{ type: 'peer'; fd: UintrFd }];
  const tx = table.registerSender();
  const index = tx.connect(msg.fd);
  rx.stui();
  const block = d.path === 'uintr-wait';
  const awaitIrq = (): void => {
    const end = block ? 0 : clockNs() + SPIN_BOUND_NS;
    if (block) {
      // No timeout, like the raw Atomics.wait baseline (a timed futex wait costs more); the lost-wake-up
      // bound is proven by test/concurrency, and the main thread terminates the pair on failure.
      while (got === 0) rx.wait();
    } else {
      for (let k = 1; got === 0; k++) if (rx.poll() === 0 && (k & 1023) === 0 && clockNs() > end) throw new Error('spin bound');
    }
    got = 0;
  };
  out.postMessage({ type: 'ready' });
  for (let i = 0; i < total; i++) {
    if (d.ping) {
      const t0 = clockNs();
      tx.send(index);
      awaitIrq();
      if (i >= d.warmup) samples[i - d.warmup] = clockNs() - t0;
    } else {
      awaitIrq();
      tx.send(index);
    }
  }
  tx.release();
  if (d.ping) out.postMessage({ type: 'samples', samples }, [samples.buffer]);
}

/** Run one path between two fresh workers; returns the ping side's round-trip samples (ns). */
export async function runPair(path: Path, rounds: number): Promise<Float64Array> {
  const file = fileURLToPath(import.meta.url);
  const table = UintrTable.create({ receivers: 2, senders: 2 });
  const words = new SharedArrayBuffer(8);
  const warmup = Math.ceil(rounds / 10);
  const base = { path, rounds, warmup, words, table: table.handle };
  let a: Worker;
  let b: Worker;
  if (path === 'msgport') {
    const { port1, port2 } = new MessageChannel();
    a = new Worker(file, { workerData: { ...base, ping: true, port: port1 }, transferList: [port1] });
    b = new Worker(file, { workerData: { ...base, ping: false, port: port2 }, transferList: [port2] });
  } else {
    b = new Worker(file, { workerData: { ...base, ping: false } });
    a = new Worker(file, { workerData: { ...base, ping: true } });
  }
  try {
    const failed = new Promise<never>((_, reject) => {
      for (const w of [a, b]) w.on('error', reject);
    });
    if (path === 'uintr-poll' || path === 'uintr-wait') {
      const [[fa], [fb]] = await Promise.race([Promise.all([once(a, 'message'), once(b, 'message')]), failed]);
      a.postMessage({ type: 'peer', fd: (fb as { fd: UintrFd }).fd });
      b.postMessage({ type: 'peer', fd: (fa as { fd: UintrFd }).fd });
    }
    for (;;) {
      const [m] = (await Promise.race([once(a, 'message'), failed])) as [{ type: string; samples?: Float64Array }];
      if (m.type === 'samples') return m.samples!;
      if (m.type !== 'ready') throw new Error(`bench worker: unknown message ${m.type}`);
    }
  } finally {
    await Promise.all([a.terminate(), b.terminate()]);
  }
}

/** Single-thread cost of one post: senduipi (UITT lookup, life check, PIR or, status CAS) vs Atomics.or. */
async function postCost(): Promise<PathStats[]> {
  const table = UintrTable.create({ receivers: 1, senders: 1 });
  const rx = table.registerReceiver(() => {});
  const tx = table.registerSender();
  const index = tx.connect(rx.createFd(5));
  const word = new Int32Array(new SharedArrayBuffer(4));
  const bench = new Bench({ time: 300 });
  bench.add('Atomics.or (bare post)', () => { Atomics.or(word, 0, 32); }); // RMW only
  bench.add('senduipi (post, ON already set)', () => { tx.send(index); });
  await bench.run();
  return statsOf(bench);
}

/** Run every path and print the ratio tables. */
export async function main(argv: readonly string[] = []): Promise<void> {
  const rounds = argv[0] !== undefined && /^\d+$/.test(argv[0]) ? Number(argv[0]) : 20_000;
  const stats: PathStats[] = [];
  const paths: Array<[Path, string, number]> = [
    ['spin', 'raw Atomics spin', rounds],
    ['uintr-poll', 'senduipi → polling receiver', rounds],
    ['msgport', 'MessagePort', Math.ceil(rounds / 4)],
    ['wait-notify', 'raw Atomics.wait/notify', Math.ceil(rounds / 2)],
    ['uintr-wait', 'senduipi → uintr_wait receiver', Math.ceil(rounds / 2)],
  ];
  for (const [path, name, n] of paths) stats.push(statsOfSamples(name, await runPair(path, n)));
  printRatios('uintr round trips between two workers (measured inside the pinging worker)', stats, [
    { candidate: 'senduipi → polling receiver', baseline: 'raw Atomics spin', target: { op: '<=', value: 2 } },
    { candidate: 'MessagePort', baseline: 'senduipi → polling receiver', target: { op: '>=', value: 100 } },
    { candidate: 'senduipi → uintr_wait receiver', baseline: 'raw Atomics.wait/notify', target: { op: '<=', value: 1.2 } },
  ]);
  printRatios('senduipi post cost, one thread (tinybench)', await postCost(), [
    { candidate: 'senduipi (post, ON already set)', baseline: 'Atomics.or (bare post)' },
  ]);
}

if (!isMainThread) {
  void worker(workerData as PairData).catch((err: unknown) => { throw err; });
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
