// Lab foundation benchmarks (issue: Boot the lab). Ratios against baselines measured in the same run:
//  1. CPU→CPU IPI round trip vs a raw Atomics.wait/notify ping-pong between two workers (target ≤ 1.2×)
//  2. syscall round trip (task → CPU actor → task, sched_yield) vs the same raw ping-pong
//  3. CPU time of N idle CPU actors over a window vs N idle bare workers (target: close to zero)
//  4. RSS added per simulated CPU and per user-task worker vs a bare worker (target ≤ 15 MB each),
//     and heap growth over repeated spawn/exit cycles (target: flat)
// Run: npm run bench -- lab   (BENCH_QUICK=1 shortens the windows)
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/index.js';
import { program } from '../src/selftest/runner.js';
import { environmentLine, printRatios, statsOfSamples, type PathStats } from './lib/ratio.js';

const QUICK = process.env['BENCH_QUICK'] === '1';
const ROUNDS = QUICK ? 10_000 : 50_000;
/** Round trips run and discarded first on every path, so each is measured JIT-optimised (tinybench's warm-up). */
const WARMUP = 30_000;

async function rawPingPong(rounds: number): Promise<Float64Array> {
  const sab = new SharedArrayBuffer(64);
  const samples = new SharedArrayBuffer(rounds * 8);
  const url = new URL('./workers/pingpong.js', import.meta.url);
  const ws = (['pong', 'ping'] as const).map((role) => new Worker(url, { workerData: { role, sab, samples, rounds } }));
  await Promise.all(ws.map((w) => new Promise((r) => w.once('message', r))));
  await Promise.all(ws.map((w) => w.terminate()));
  return new Float64Array(samples);
}

async function idleCpuMs(windowMs: number, make: () => Promise<() => Promise<void>>): Promise<number> {
  const stop = await make();
  await new Promise((r) => setTimeout(r, 300)); // settle after start-up
  const before = process.cpuUsage();
  await new Promise((r) => setTimeout(r, windowMs));
  const used = process.cpuUsage(before);
  await stop();
  return (used.user + used.system) / 1e3;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function rssDeltaMb(n: number, make: (n: number) => Promise<() => Promise<void>>): Promise<number> {
  gc();
  await new Promise((r) => setTimeout(r, 200));
  const before = process.memoryUsage().rss;
  const stop = await make(n);
  await new Promise((r) => setTimeout(r, 500));
  gc();
  const after = process.memoryUsage().rss;
  await stop();
  return (after - before) / n / 2 ** 20;
}

/** Run the lab benchmarks and print their ratio tables. */
export async function main(): Promise<void> {
  // 1 + 2: round trips.
  const raw = await rawPingPong(WARMUP + ROUNDS);
  const lab = await Lab.boot({ cpus: 2 });
  await lab.ipiRoundTrip(0, 1, WARMUP);
  const ipi = await lab.ipiRoundTrip(0, 1, ROUNDS);
  const samples = new SharedArrayBuffer((WARMUP + ROUNDS) * 8);
  const t = await lab.spawn(program('syscall-bench'), { affinity: [1], arg: { samples, rounds: WARMUP + ROUNDS } });
  await t.exited;
  await lab.shutdown();
  const drop = (a: ArrayLike<number>): number[] => Array.from(a).slice(a.length - ROUNDS);
  const stats: PathStats[] = [
    statsOfSamples('raw Atomics.wait/notify ping-pong', drop(raw)),
    statsOfSamples('lab CPU→CPU IPI round trip', drop(ipi)),
    statsOfSamples('task sched_yield round trip', drop(new Float64Array(samples))),
  ];
  printRatios('Round trips between two threads', stats, [
    { candidate: 'lab CPU→CPU IPI round trip', baseline: 'raw Atomics.wait/notify ping-pong', target: { op: '<=', value: 1.2 } },
    { candidate: 'task sched_yield round trip', baseline: 'raw Atomics.wait/notify ping-pong' },
  ]);

  // 3: idle CPU time.
  const N = 8;
  const windowMs = QUICK ? 2000 : 10_000;
  const bare = await idleCpuMs(windowMs, async () => {
    const ws = Array.from({ length: N }, () => new Worker('setInterval(() => {}, 1 << 30)', { eval: true }));
    await Promise.all(ws.map((w) => new Promise((r) => w.once('online', r))));
    return async () => void (await Promise.all(ws.map((w) => w.terminate())));
  });
  const labIdle = await idleCpuMs(windowMs, async () => {
    const l = await Lab.boot({ cpus: N });
    return () => l.shutdown();
  });
  console.log(`\n## CPU time of ${N} idle threads over ${windowMs / 1000} s (whole process)`);
  console.log('| threads | CPU ms | % of one core |');
  console.log('|---|---:|---:|');
  console.log(`| ${N} bare idle workers | ${bare.toFixed(1)} | ${((100 * bare) / windowMs).toFixed(3)}% |`);
  console.log(`| ${N} idle CPU actors | ${labIdle.toFixed(1)} | ${((100 * labIdle) / windowMs).toFixed(3)}% |`);
  console.log(environmentLine());

  // 4: memory per thread.
  const bareMb = await rssDeltaMb(8, async (n) => {
    const ws = Array.from({ length: n }, () => new Worker('setInterval(() => {}, 1 << 30)', { eval: true }));
    await Promise.all(ws.map((w) => new Promise((r) => w.once('online', r))));
    return async () => void (await Promise.all(ws.map((w) => w.terminate())));
  });
  const base = await Lab.boot({ cpus: 1 });
  const cpuMb = await rssDeltaMb(8, async (n) => {
    const l = await Lab.boot({ cpus: n });
    return () => l.shutdown();
  });
  const taskMb = await rssDeltaMb(8, async (n) => {
    const ts = await Promise.all(Array.from({ length: n }, () => base.spawn(program('sleeper'))));
    while (base.workers.task < n) await new Promise((r) => setTimeout(r, 20));
    return async () => {
      for (const x of ts) await base.kill(x.pid, 'SIGKILL');
      await Promise.all(ts.map((x) => x.exited));
    };
  });
  // Heap over spawn/exit cycles; measured from the point where the bounded zombie list (1024) is full.
  const WARM_CYCLES = 1000;
  const cycleMs = QUICK ? 5000 : 60_000;
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  let cycles = 0;
  let heapMid = heap0;
  while (Date.now() - t0 < cycleMs) {
    const ts = await Promise.all(Array.from({ length: 4 }, (_, i) => base.spawn(program('exit-code'), { arg: { code: i } })));
    await Promise.all(ts.map((x) => x.exited));
    cycles++;
    if (cycles === WARM_CYCLES) {
      gc();
      heapMid = process.memoryUsage().heapUsed;
    }
  }
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  await base.shutdown();
  console.log('\n## Memory per thread (RSS delta of 8, divided by 8)');
  console.log('| thread | MB each | / bare worker |');
  console.log('|---|---:|---:|');
  console.log(`| bare worker | ${bareMb.toFixed(2)} | 1.00× |`);
  console.log(`| simulated CPU (CPU actor) | ${cpuMb.toFixed(2)} | ${(cpuMb / bareMb).toFixed(2)}× |`);
  console.log(`| user-task worker | ${taskMb.toFixed(2)} | ${(taskMb / bareMb).toFixed(2)}× |`);
  console.log(`\n## Heap over ${cycles} spawn/exit cycles of 4 tasks (${(cycleMs / 1000).toFixed(0)} s): start ${(heap0 / 2 ** 20).toFixed(2)} MB, after ${WARM_CYCLES} cycles ${(heapMid / 2 ** 20).toFixed(2)} MB, end ${(heap1 / 2 ** 20).toFixed(2)} MB (growth after warm-up ${((heap1 - heapMid) / 2 ** 10).toFixed(0)} KB)`);
  console.log(environmentLine());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
