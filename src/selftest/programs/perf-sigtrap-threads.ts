// Port of tools/testing/selftests/perf_events/sigtrap_threads.c (and tools/perf/tests/sigtrap.c as
// `perf_sigtrap`): one breakpoint event on `iterate_on`, inherited by NUM_THREADS CLONE_THREAD
// children, enabled/modified/toggled from the main thread while the threads run. The C test's
// static `ctx` struct lives in process memory (ctx.mem), shared by the threads. Every thread
// installs the SIGTRAP handler itself: a lab task's handlers are per worker, not per process.
import { PERF_EVENT_IOC, PERF_FLAG, PERF_TYPE, TRAP_PERF } from '../../perf/abi.js';
import type { SigInfo } from '../../kernel/signal.js';
import type { TaskContext } from '../../task/ctx.js';
import { barrierWait, check, checkEq, sigtrapAttr, testSigData } from './perf-lib.js';

/** The upstream test names, plus the perf tool's test. */
export type SigtrapThreadsTest = 'remain_disabled' | 'enable_event' | 'modify_and_enable_event' | 'signal_stress' | 'signal_stress_with_disable' | 'perf_sigtrap';

const NUM_THREADS = 5;
// Offsets in the shared struct (the C test's `static struct { … } ctx`).
const TIDS_WANT_SIGNAL = 0;
const SIGNAL_COUNT = 4;
const ITERATE_ON = 8; // the watched int (bp_len 1 on its first byte, as &ctx.iterate_on)
const BARRIER = 12;
const FIRST_ADDR = 16; // first_siginfo.si_addr (u64)
const FIRST_DATA = 24; // first_siginfo.si_perf_data (u64)
const FIRST_TYPE = 32; // first_siginfo.si_perf_type (u32)
const BYTES = 40;

interface Arg {
  readonly role: 'main' | 'thread';
  readonly test: SigtrapThreadsTest;
  readonly base?: number;
}

export default function main(ctx: TaskContext, arg: Arg): number {
  if (arg.role === 'thread') return thread(ctx, arg.base!, arg.test);
  return fixture(ctx, arg.test);
}

function installHandler(ctx: TaskContext, base: number): void {
  const tid = ctx.gettid();
  ctx.sigaction('SIGTRAP', (_sig: number, info: SigInfo) => {
    if (info.si_code !== TRAP_PERF) return;
    if (ctx.mem.fetchAdd32(base + SIGNAL_COUNT, 1) === 0) {
      ctx.mem.store64(base + FIRST_ADDR, info.si_addr as number);
      ctx.mem.store64(base + FIRST_DATA, info.si_perf_data as bigint);
      ctx.mem.store32(base + FIRST_TYPE, info.si_perf_type as number);
    }
    ctx.mem.fetchAdd32(base + TIDS_WANT_SIGNAL, -tid);
  });
}

// test_thread (and the perf tool's, which re-reads iterate_on in its loop condition).
function thread(ctx: TaskContext, base: number, test: SigtrapThreadsTest): number {
  installHandler(ctx, base);
  const tid = ctx.gettid();
  const m = ctx.mem;
  barrierWait(ctx, base + BARRIER, NUM_THREADS + 1);
  m.fetchAdd32(base + TIDS_WANT_SIGNAL, tid);
  if (test === 'perf_sigtrap') {
    for (let i = 0; i < (m.load32(base + ITERATE_ON) | 0) - 1; i++) m.fetchAdd32(base + TIDS_WANT_SIGNAL, tid);
    return 0;
  }
  const iter = m.load32(base + ITERATE_ON) | 0; // read
  if (iter >= 0) {
    for (let i = 0; i < iter - 1; i++) {
      m.fetchAdd32(base + TIDS_WANT_SIGNAL, tid);
      m.store32(base + ITERATE_ON, iter); // idempotent write
    }
  } else {
    while (m.load32(base + ITERATE_ON) !== 0);
  }
  return 0;
}

function fixture(ctx: TaskContext, test: SigtrapThreadsTest): number {
  const m = ctx.mem;
  const base = m.alloc(BYTES);
  const iterateOn = base + ITERATE_ON;
  installHandler(ctx, base);
  const fd = ctx.perf_event_open(sigtrapAttr(false, iterateOn, 0), 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
  const tids: number[] = [];
  const spawn = (): void => {
    for (let i = 0; i < NUM_THREADS; i++) tids.push(ctx.clone({ thread: true, arg: { role: 'thread', test, base } satisfies Arg }));
  };
  const join = (): void => {
    for (const t of tids) checkEq(JSON.stringify(ctx.pthread_join(t)), '{"code":0}', `thread ${t} exit`);
  };
  const run = (): void => {
    barrierWait(ctx, base + BARRIER, NUM_THREADS + 1);
    join();
  };
  const count = (): number => m.atomicLoad32(base + SIGNAL_COUNT);
  const tidsLeft = (): number => m.atomicLoad32(base + TIDS_WANT_SIGNAL);
  const checkFirst = (id: number): void => {
    checkEq(Number(m.load64(base + FIRST_ADDR)), iterateOn, 'first_siginfo.si_addr == &ctx.iterate_on');
    checkEq(m.load32(base + FIRST_TYPE), PERF_TYPE.BREAKPOINT, 'first_siginfo.si_perf_type');
    checkEq(m.load64(base + FIRST_DATA), testSigData(iterateOn, id), 'first_siginfo.si_perf_data');
  };

  switch (test) {
    case 'remain_disabled':
      spawn();
      run();
      checkEq(count(), 0, 'signal_count');
      check(tidsLeft() !== 0, 'tids_want_signal != 0');
      break;
    case 'enable_event':
      spawn();
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.ENABLE, 0), 0, 'ENABLE');
      run();
      checkEq(count(), NUM_THREADS, 'signal_count');
      checkEq(tidsLeft(), 0, 'tids_want_signal');
      checkFirst(0);
      m.store32(iterateOn, 0); // check enabled for parent
      checkEq(count(), NUM_THREADS + 1, 'signal_count after the parent wrote');
      break;
    case 'modify_and_enable_event':
      spawn();
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, sigtrapAttr(true, iterateOn, 42)), 0, 'MODIFY_ATTRIBUTES');
      run();
      checkEq(count(), NUM_THREADS, 'signal_count');
      checkEq(tidsLeft(), 0, 'tids_want_signal');
      checkFirst(42);
      m.store32(iterateOn, 0);
      checkEq(count(), NUM_THREADS + 1, 'signal_count after the parent wrote');
      break;
    case 'signal_stress':
    case 'perf_sigtrap':
      spawn();
      m.store32(iterateOn, 3000);
      checkEq(count(), 0, 'misfired signal?');
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.ENABLE, 0), 0, 'ENABLE');
      run();
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.DISABLE, 0), 0, 'DISABLE');
      checkEq(count(), NUM_THREADS * 3000, 'signal_count == NUM_THREADS * iterate_on');
      checkEq(tidsLeft(), 0, 'tids_want_signal (missing signals or incorrectly delivered)');
      checkEq(ctx.read(fd), NUM_THREADS * 3000, 'read(fd) sums the children that ended');
      checkFirst(0);
      break;
    case 'signal_stress_with_disable': {
      const target = NUM_THREADS * 3000;
      spawn();
      m.store32(iterateOn, -1 >>> 0);
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.ENABLE, 0), 0, 'ENABLE');
      barrierWait(ctx, base + BARRIER, NUM_THREADS + 1);
      let toggles = 0;
      while (count() < target) {
        checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.DISABLE, 0), 0, 'DISABLE');
        checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.ENABLE, 0), 0, 'ENABLE');
        toggles++;
      }
      m.store32(iterateOn, 0);
      join();
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.DISABLE, 0), 0, 'DISABLE');
      checkFirst(0);
      check(toggles > 0, 'toggled while the threads ran');
      break;
    }
  }
  ctx.close(fd);
  return 0;
}
