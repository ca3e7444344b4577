// ctx.mem access cost against a raw typed-array loop, with no event and with a watchpoint armed on
// another address, and the cost of one synchronous SIGTRAP delivery (hit → count → overflow →
// siginfo → handler). Each case runs in a worker of its own, as a task does (one TaskMem per
// isolate, so the JIT sees one task's accesses), with the raw baseline in the same tinybench Bench.
// The real TaskPerf/TaskMem over a lab-shaped perf region and process table; raise() runs the
// handler as ctx's #raise does for an unblocked signal. Each sample is BATCH accesses.
// Run: npm run bench -- perf   (BENCH_QUICK=1 shortens the windows)
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { allocateKernel } from '../src/kernel/layout.js';
import { TASK, allocateTasks } from '../src/kernel/task-layout.js';
import { LabPerf } from '../src/lab/perf.js';
import { HW_BREAKPOINT, PERF_TYPE, type PerfEventAttr } from '../src/perf/abi.js';
import type { SigInfo } from '../src/kernel/signal.js';
import { TaskPerf } from '../src/task/perf-ctx.js';
import { printRatios, statsOf, type PathStats } from './lib/ratio.js';

const QUICK = process.env['BENCH_QUICK'] === '1';
const BATCH = 1024;
const WORDS = 256; // the working set: 1 KiB, as hot as a loop over a small struct gets

/** A task of pid 1001 in slot 1 of a 4-slot lab, with perf wired as the control plane does. */
function makeTask(onTrap: (info: SigInfo) => void): TaskPerf {
  const k = allocateKernel(2, 4);
  const t = allocateTasks(4);
  Atomics.store(t.i32, t.slotBase(1) + TASK.TGID, 1001);
  Atomics.store(t.i32, t.slotBase(1) + TASK.PID, 1001); // publish: the slot is live
  const lab = new LabPerf({ tasks: t });
  const boot = lab.onStart({ pid: 1001, slot: 1, tgid: 1001, thread: false, clearSighand: false });
  return new TaskPerf({ k, t, slot: 1, boot, ring: () => { throw new Error('tracing is off in this bench'); }, raise: (_sig, info) => onTrap(info) });
}

function watch(addr: number, len: number, period = 1): PerfEventAttr {
  return { type: PERF_TYPE.BREAKPOINT, bp_type: HW_BREAKPOINT.RW, bp_addr: addr, bp_len: len, sample_period: period, exclude_kernel: 1, remove_on_exec: 1, sigtrap: 1 };
}

type Mode = 'quiet' | 'armed' | 'trap';

/** One worker = one task: its own TaskMem (as a real task worker has), its baseline in the same Bench. */
async function measure(mode: Mode): Promise<PathStats[]> {
  let sink = 0;
  let traps = 0;
  const raw = new Uint32Array(new SharedArrayBuffer(WORDS * 4));
  const task = makeTask(() => traps++);
  const base = task.mem.alloc(WORDS * 4);
  const elsewhere = task.mem.alloc(8);
  if (mode === 'armed') task.open(watch(elsewhere, 8), 0, -1, -1, 0);
  if (mode === 'trap') task.open(watch(base, 4), 0, -1, -1, 0);
  const label = mode === 'quiet' ? 'no events' : 'watchpoint on another address';
  const m = task.mem;
  const bench = new Bench({ time: QUICK ? 300 : 1500, warmupTime: QUICK ? 100 : 300 });
  bench.add('raw Uint32Array load', () => {
    let s = 0;
    for (let i = 0; i < BATCH; i++) s += raw[i & (WORDS - 1)]!;
    sink += s;
  });
  if (mode === 'trap') {
    bench.add('ctx.mem load32 that traps (one SIGTRAP each)', () => {
      let s = 0;
      for (let i = 0; i < BATCH; i++) s += m.load32(base);
      sink += s;
    });
  } else {
    bench.add('raw Uint32Array load+store', () => {
      for (let i = 0; i < BATCH; i++) {
        const j = i & (WORDS - 1);
        raw[j] = raw[j]! + 1;
      }
    });
    bench.add(`ctx.mem load32, ${label}`, () => {
      let s = 0;
      for (let i = 0; i < BATCH; i++) s += m.load32(base + ((i & (WORDS - 1)) << 2));
      sink += s;
    });
    bench.add(`ctx.mem load32+store32, ${label}`, () => {
      for (let i = 0; i < BATCH; i++) {
        const a = base + ((i & (WORDS - 1)) << 2);
        m.store32(a, m.load32(a) + 1);
      }
    });
  }
  await bench.run();
  if ((mode === 'trap') !== (traps > 0) || sink === -1) throw new Error(`${mode}: ${traps} traps`);
  return statsOf(bench).map((st) => ({ ...st, name: `${st.name} [${mode}]` }));
}

async function inWorker(mode: Mode): Promise<PathStats[]> {
  const w = new Worker(new URL(import.meta.url), { workerData: { mode } });
  const [stats] = (await once(w, 'message')) as [PathStats[]];
  await w.terminate();
  return stats;
}

/** Run the bench and print the ratios (each path measured in a worker of its own, against a baseline in that worker). */
export async function main(): Promise<void> {
  const stats = [...(await inWorker('quiet')), ...(await inWorker('armed')), ...(await inWorker('trap'))];
  const r = (c: string, b: string, target?: number) => ({ candidate: c, baseline: b, ...(target === undefined ? {} : { target: { op: '<=' as const, value: target } }) });
  printRatios(`ctx.mem: ${BATCH} accesses per sample, one task worker per row group`, stats, [
    r('ctx.mem load32, no events [quiet]', 'raw Uint32Array load [quiet]', 3),
    r('ctx.mem load32, watchpoint on another address [armed]', 'raw Uint32Array load [armed]', 4),
    r('ctx.mem load32+store32, no events [quiet]', 'raw Uint32Array load+store [quiet]', 3),
    r('ctx.mem load32+store32, watchpoint on another address [armed]', 'raw Uint32Array load+store [armed]', 4),
    r('ctx.mem load32 that traps (one SIGTRAP each) [trap]', 'raw Uint32Array load [trap]'),
  ]);
  const trap = stats.find((x) => x.name.endsWith('[trap]') && x.name.startsWith('ctx.mem'))!;
  const raw = stats.find((x) => x.name === 'raw Uint32Array load [trap]')!;
  console.log(`# one SIGTRAP delivery (hit, count, overflow, siginfo, handler), same thread: ${((trap.p50Ns - raw.p50Ns) / BATCH).toFixed(1)} ns at p50`);
}

if (!isMainThread) {
  parentPort!.postMessage(await measure((workerData as { mode: Mode }).mode));
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
