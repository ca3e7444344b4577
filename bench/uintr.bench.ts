// Round trips between two real workers: senduipi to a polling receiver vs a raw Atomics spin ping-pong
// (both directions in one cache line: the target's baseline; and, reported, a line per direction, the
// shape of any two-doorbell ping-pong) and vs MessagePort; senduipi to a receiver in uintr_wait vs raw
// Atomics.wait/notify (both through src/shm/wait.ts). The pairs and their loops are
// `tracelab ipc bench`'s (src/selftest/ipc-bench.ts runPair, src/selftest/ipc-bench-worker.ts): timing
// runs inside the pinging worker (clockNs), which posts its samples back. Each baseline and its
// candidate alternate in blocks between the same two workers, so the shared VM's drift (which vCPU
// pair, what else runs) hits both alike; MessagePort runs in its own pair. This file adds the
// targets, the per-block spread, and a single-thread tinybench pair: the cost of senduipi's post
// against a bare Atomics.or.
// Run: npm run bench -- uintr   (BENCH_QUICK=1: 5000 rounds; or node dist/bench/uintr.bench.js [rounds])
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { UintrTable } from '../src/uintr/index.js';
import { pairBlock, runPair } from '../src/selftest/ipc-bench.js';
import { printRatios, statsOf, statsOfSamples, type PathStats } from './lib/ratio.js';

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
  const pollBlock = pairBlock(rounds);
  const waitRounds = Math.ceil(rounds / 2);
  const waitBlock = pairBlock(waitRounds);
  const [spin, poll, spin2] = await runPair('spin', rounds, undefined, ['spin', 'uintr-poll', 'spin-2line']);
  const [msgport] = await runPair('msgport', Math.ceil(rounds / 4));
  const [wn, uw] = await runPair('wait-notify', waitRounds, undefined, ['wait-notify', 'uintr-wait']);
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
  // The two polling targets together ask MessagePort to cost ≥ 200× the raw spin; print what this host gives.
  const p50 = (x: Float64Array): number => statsOfSamples('p50', x).p50Ns;
  const mpOverSpin = p50(msgport!) / p50(spin!);
  console.log(`# host ceiling: MessagePort / raw spin = ${mpOverSpin.toFixed(0)}× here, so a path at 2× the spin is at most ${(mpOverSpin / 2).toFixed(0)}× below MessagePort (both targets at once need ≥ 200×)`);
  const fmt = (r: ReturnType<typeof blockRatios>): string => `median ${r.median.toFixed(2)}×, range ${r.min.toFixed(2)}–${r.max.toFixed(2)}× over ${r.blocks} blocks`;
  console.log(`# alternated in one worker pair, p50 ratio per block: polling/spin ${fmt(blockRatios(spin!, poll!, pollBlock))}; uintr_wait/wait-notify ${fmt(blockRatios(wn!, uw!, waitBlock))}`);
  printRatios('senduipi post cost, one thread (tinybench)', await postCost(), [
    { candidate: 'senduipi (post, ON already set)', baseline: 'Atomics.or (bare post)' },
  ]);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
