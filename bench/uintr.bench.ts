// Round trips between two real workers: senduipi to a polling receiver vs a raw Atomics spin ping-pong
// (both directions in one cache line: the target's baseline; and, reported, a line per direction, the
// shape of any two-doorbell ping-pong) and vs MessagePort; senduipi to a receiver in uintr_wait vs raw Atomics.wait/notify (both through
// src/shm/wait.ts). Timing runs inside the pinging worker (clockNs), which posts its samples back.
// Each baseline and its candidate alternate in blocks between the same two workers, so the shared
// VM's drift (which vCPU pair, what else runs) hits both alike; MessagePort runs in its own pair.
// Also a single-thread tinybench pair: the cost of senduipi's post against a bare Atomics.or.
// Run: npm run bench -- uintr   (BENCH_QUICK=1: 5000 rounds; or node dist/bench/uintr.bench.js [rounds])
import { Worker, isMainThread, parentPort, workerData, MessageChannel, type MessagePort } from 'node:worker_threads';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { UintrTable, type UintrFd, type UintrReceiver, type UintrSender, type UintrTableHandle } from '../src/uintr/index.js';
import { clockNs } from '../src/shm/clock.js';
import { waitWord } from '../src/shm/wait.js';
import { printRatios, statsOf, statsOfSamples, type PathStats } from './lib/ratio.js';

/** The measured paths. */
type Path = 'spin' | 'spin-2line' | 'uintr-poll' | 'msgport' | 'wait-notify' | 'uintr-wait';

interface PairData {
  /** One path, or a baseline and a candidate alternated in blocks between the same two workers. */
  readonly paths: readonly Path[];
  readonly ping: boolean;
  /** Measured rounds per path. */
  readonly rounds: number;
  /** Unmeasured rounds per path before the first block. */
  readonly warmup: number;
  /** Rounds per block: each path runs `block` rounds, then the next path does. */
  readonly block: number;
  readonly words: SharedArrayBuffer;
  readonly table: UintrTableHandle;
  readonly port?: MessagePort;
}

/** Spin-wait guard: a liveness bound for every busy loop (never reached on a healthy run). */
const SPIN_BOUND_NS = 10e9;

async function worker(d: PairData): Promise<void> {
  const out = parentPort!;
  const samples = d.paths.map(() => new Float64Array(d.rounds));
  if (d.paths[0] === 'msgport') {
    const port = d.port!;
    const total = d.rounds + d.warmup;
    if (!d.ping) {
      let n = 0;
      port.on('message', () => { port.postMessage(0); if (++n === total) port.close(); });
      return;
    }
    for (let i = 0; i < total; i++) {
      const t0 = clockNs();
      port.postMessage(0);
      await once(port, 'message');
      if (i >= d.warmup) samples[0]![i - d.warmup] = clockNs() - t0;
    }
    port.close();
    out.postMessage({ type: 'samples', samples }, samples.map((x) => x.buffer));
    return;
  }
  const w = new Int32Array(d.words); // [0] to pong, [1] to ping: sequence words (one cache line)
  // 'spin-2line': the same ping-pong with each direction's word in a cache line of its own (words 32
  // and 64: 128 B apart, past the adjacent-line prefetcher's pair), the shape of two doorbells.
  const turns = new Int32Array(65); // rounds this side has seen, per word it waits on
  const awaitTurn = (block: boolean, mine: number): void => {
    const expect = ++turns[mine]!;
    if (block) {
      while (Atomics.load(w, mine) !== expect) waitWord(w, mine, expect - 1); // acquire: peer's add
    } else {
      const end = clockNs() + SPIN_BOUND_NS;
      for (let k = 1; Atomics.load(w, mine) !== expect; k++) { // acquire: peer's add
        if ((k & 1023) === 0 && clockNs() > end) throw new Error('spin bound');
      }
    }
  };
  const give = (block: boolean, theirs: number): void => {
    Atomics.add(w, theirs, 1); // publish: the peer waits on this sequence word
    if (block) Atomics.notify(w, theirs);
  };
  // uintr paths: each side is a receiver (vector 1) and a sender to the other.
  let got = 0;
  let rx: UintrReceiver | undefined;
  let tx: UintrSender | undefined;
  let index = -1;
  if (d.paths.includes('uintr-poll') || d.paths.includes('uintr-wait')) {
    const table = UintrTable.attach(d.table);
    rx = table.registerReceiver(() => { got++; });
    out.postMessage({ type: 'fd', fd: rx.createFd(1) });
    const [msg] = (await once(out, 'message')) as [{ type: 'peer'; fd: UintrFd }];
    tx = table.registerSender();
    index = tx.connect(msg.fd);
    rx.stui();
  }
  const awaitIrq = (block: boolean): void => {
    const end = block ? 0 : clockNs() + SPIN_BOUND_NS;
    if (block) {
      // No timeout, like the raw Atomics.wait baseline (a timed futex wait costs more); the lost-wake-up
      // bound is proven by test/concurrency, and the main thread terminates the pair on failure.
      while (got === 0) rx!.wait();
    } else {
      for (let k = 1; got === 0; k++) if (rx!.poll() === 0 && (k & 1023) === 0 && clockNs() > end) throw new Error('spin bound');
    }
    got = 0;
  };
  // Rounds [from, to) of one path; each path has its own loop, so every call site in it stays monomorphic.
  const run = (path: Path, into: Float64Array | undefined, from: number, to: number): void => {
    const ping = d.ping;
    switch (path) {
      case 'spin':
      case 'spin-2line':
      case 'wait-notify': {
        const block = path === 'wait-notify';
        const [toPong, toPing] = path === 'spin-2line' ? [32, 64] : [0, 1];
        const mine = ping ? toPing : toPong;
        const theirs = ping ? toPong : toPing;
        for (let i = from; i < to; i++) {
          if (ping) {
            const t0 = clockNs();
            give(block, theirs);
            awaitTurn(block, mine);
            if (into !== undefined) into[i] = clockNs() - t0;
          } else {
            awaitTurn(block, mine);
            give(block, theirs);
          }
        }
        return;
      }
      case 'uintr-poll':
      case 'uintr-wait': {
        const block = path === 'uintr-wait';
        for (let i = from; i < to; i++) {
          if (ping) {
            const t0 = clockNs();
            tx!.send(index);
            awaitIrq(block);
            if (into !== undefined) into[i] = clockNs() - t0;
          } else {
            awaitIrq(block);
            tx!.send(index);
          }
        }
        return;
      }
      default:
        throw new Error(`bench worker: path ${path} cannot be alternated`);
    }
  };
  out.postMessage({ type: 'ready' });
  for (const path of d.paths) run(path, undefined, 0, d.warmup);
  for (let done = 0; done < d.rounds; done += d.block) {
    const to = Math.min(d.rounds, done + d.block);
    d.paths.forEach((path, p) => run(path, samples[p], done, to));
  }
  tx?.release();
  if (d.ping) out.postMessage({ type: 'samples', samples }, samples.map((x) => x.buffer));
}

/**
 * Run `paths` between two fresh workers, alternating them in blocks of `block` rounds when there are
 * two (so drift on the shared VM hits the baseline and the candidate alike); returns the ping side's
 * round-trip samples (ns), one array per path.
 */
export async function runPair(paths: readonly Path[], rounds: number, block = rounds): Promise<Float64Array[]> {
  const file = fileURLToPath(import.meta.url);
  const table = UintrTable.create({ receivers: 2, senders: 2 });
  const words = new SharedArrayBuffer(4 * 65);
  const warmup = Math.ceil(rounds / 10);
  const base = { paths, rounds, warmup, block, words, table: table.handle };
  let a: Worker;
  let b: Worker;
  if (paths[0] === 'msgport') {
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
    if (paths.includes('uintr-poll') || paths.includes('uintr-wait')) {
      const [[fa], [fb]] = await Promise.race([Promise.all([once(a, 'message'), once(b, 'message')]), failed]);
      a.postMessage({ type: 'peer', fd: (fb as { fd: UintrFd }).fd });
      b.postMessage({ type: 'peer', fd: (fa as { fd: UintrFd }).fd });
    }
    for (;;) {
      const [m] = (await Promise.race([once(a, 'message'), failed])) as [{ type: string; samples?: Float64Array[] }];
      if (m.type === 'samples') return m.samples!;
      if (m.type !== 'ready') throw new Error(`bench worker: unknown message ${m.type}`);
    }
  } finally {
    await Promise.all([a.terminate(), b.terminate()]);
  }
}

/** p50 of each block's candidate/baseline ratio: the spread an alternated pair shows run to run. */
function blockRatios(base: Float64Array, cand: Float64Array, block: number): { median: number; min: number; max: number; blocks: number } {
  const p50 = (x: Float64Array): number => statsOfSamples('block', x).p50Ns;
  const r: number[] = [];
  for (let i = 0; i < base.length; i += block) r.push(p50(cand.subarray(i, i + block)) / p50(base.subarray(i, i + block)));
  r.sort((x, y) => x - y);
  return { median: r[Math.floor(r.length / 2)]!, min: r[0]!, max: r[r.length - 1]!, blocks: r.length };
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
  const quick = process.env['BENCH_QUICK'] === '1';
  const rounds = argv[0] !== undefined && /^\d+$/.test(argv[0]) ? Number(argv[0]) : quick ? 5_000 : 20_000;
  const pollBlock = Math.max(100, Math.ceil(rounds / 20));
  const waitRounds = Math.ceil(rounds / 2);
  const waitBlock = Math.max(50, Math.ceil(waitRounds / 20));
  const [spin, poll, spin2] = await runPair(['spin', 'uintr-poll', 'spin-2line'], rounds, pollBlock);
  const [msgport] = await runPair(['msgport'], Math.ceil(rounds / 4));
  const [wn, uw] = await runPair(['wait-notify', 'uintr-wait'], waitRounds, waitBlock);
  const stats: PathStats[] = [
    statsOfSamples('raw Atomics spin', spin!),
    statsOfSamples('senduipi → polling receiver', poll!),
    statsOfSamples('raw Atomics spin, a cache line per direction', spin2!),
    statsOfSamples('MessagePort', msgport!),
    statsOfSamples('raw Atomics.wait/notify', wn!),
    statsOfSamples('senduipi → uintr_wait receiver', uw!),
  ];
  printRatios('uintr round trips between two workers (measured inside the pinging worker)', stats, [
    { candidate: 'senduipi → polling receiver', baseline: 'raw Atomics spin', target: { op: '<=', value: 2 } },
    { candidate: 'senduipi → polling receiver', baseline: 'raw Atomics spin, a cache line per direction' },
    { candidate: 'MessagePort', baseline: 'senduipi → polling receiver', target: { op: '>=', value: 100 } },
    { candidate: 'MessagePort', baseline: 'raw Atomics spin' },
    { candidate: 'senduipi → uintr_wait receiver', baseline: 'raw Atomics.wait/notify', target: { op: '<=', value: 1.2 } },
  ]);
  const fmt = (r: ReturnType<typeof blockRatios>): string => `median ${r.median.toFixed(2)}×, range ${r.min.toFixed(2)}–${r.max.toFixed(2)}× over ${r.blocks} blocks`;
  console.log(`# alternated in one worker pair, p50 ratio per block: polling/spin ${fmt(blockRatios(spin!, poll!, pollBlock))}; uintr_wait/wait-notify ${fmt(blockRatios(wn!, uw!, waitBlock))}`);
  printRatios('senduipi post cost, one thread (tinybench)', await postCost(), [
    { candidate: 'senduipi (post, ON already set)', baseline: 'Atomics.or (bare post)' },
  ]);
}

if (!isMainThread) {
  void worker(workerData as PairData).catch((err: unknown) => { throw err; });
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
