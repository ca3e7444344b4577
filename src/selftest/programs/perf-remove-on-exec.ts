// Port of tools/testing/selftests/perf_events/remove_on_exec.c. Upstream counts instructions
// (PERF_COUNT_HW_INSTRUCTIONS, sample_period 1000) while spinning; a lab has no hardware PMU, so
// each spin iteration "executes" one instruction at LOOP_PC (ctx.mem.fetch) and the event is an X
// breakpoint there with the same period. exec'd children allocate their LOOP_PC at the same
// address (the first allocation of a fresh address space), so a surviving event would trap them.
// Processes tell the parent they started with SIGUSR1 (upstream writes 42 to a pipe).
import { HW_BREAKPOINT, PERF_EVENT_IOC, PERF_FLAG, PERF_TYPE, TRAP_PERF, type PerfEventAttr } from '../../perf/abi.js';
import type { SigInfo } from '../../kernel/signal.js';
import type { TaskContext } from '../../task/ctx.js';
import { check, checkEq } from './perf-lib.js';

/** The upstream test names. */
export type RemoveOnExecTest = 'fork_only' | 'fork_exec_then_enable' | 'enable_then_fork_exec' | 'exec_stress';

const SIGNAL_COUNT = 0; // static volatile int signal_count (per process: fork copies it)
const LOOP_PC = 8; // the spin loop's instruction
const BYTES = 16;

interface Arg {
  readonly role: 'main' | 'fork_only_child' | 'spin_child' | 'fork_exec' | 'exec_child';
  readonly test: RemoveOnExecTest;
  readonly fd?: number;
  readonly parent?: number;
}

function makeEventAttr(pc: number): PerfEventAttr {
  return {
    type: PERF_TYPE.BREAKPOINT,
    bp_type: HW_BREAKPOINT.X,
    bp_addr: pc,
    bp_len: 8,
    sample_period: 1000,
    exclude_kernel: 1,
    exclude_hv: 1,
    disabled: 1,
    inherit: 1,
    // Children normally retain their inherited event on exec; with remove_on_exec, we'll remove
    // their event, but the parent and any other non-exec'd children will keep their events.
    remove_on_exec: 1,
    sigtrap: 1,
  };
}

function setup(ctx: TaskContext, base: number): void {
  ctx.sigaction('SIGTRAP', (_s: number, info: SigInfo) => {
    if (info.si_code !== TRAP_PERF) return;
    ctx.mem.fetchAdd32(base + SIGNAL_COUNT, 1);
  });
}

const signalCount = (ctx: TaskContext, base: number): number => ctx.mem.atomicLoad32(base + SIGNAL_COUNT);
// while (!signal_count) {} — one instruction at LOOP_PC per iteration. Every 256 iterations the
// loop naps 70 µs, so tens of spinning tasks do not starve the rest of a 2-core machine (the
// event still sees every iteration: the nap is not an instruction at LOOP_PC). 70 µs is what a
// 20 µs nap took under Linux's default 50 µs timer slack; lab tasks run with 1 ns of slack.
function spinUntilSignal(ctx: TaskContext, base: number, from = 0): void {
  for (let i = 1; signalCount(ctx, base) === from; i++) {
    ctx.mem.fetch(base + LOOP_PC);
    if ((i & 255) === 0) {
      try {
        ctx.nanosleep(70_000);
      } catch {
        /* EINTR: a handled signal (SIGUSR1) arrived */
      }
    }
  }
}

export default function main(ctx: TaskContext, arg: Arg): number {
  switch (arg.role) {
    case 'exec_child': {
      // For exec'd child: a fresh address space; same first allocation as the parent's.
      const base = ctx.mem.alloc(BYTES);
      setup(ctx, base);
      ctx.kill(arg.parent!, 'SIGUSR1'); // signal parent that we're starting to spin
      spinUntilSignal(ctx, base); // should hang here until killed
      return 1;
    }
    case 'fork_exec':
      ctx.exec(new URL(import.meta.url), { role: 'exec_child', test: arg.test, parent: arg.parent } satisfies Arg);
    // falls through: exec does not return
    case 'fork_only_child': {
      const base = 0x10000; // the forked copy of the parent's struct
      checkEq(signalCount(ctx, base), 0, 'child: signal_count');
      checkEq(ctx.ioctl(arg.fd!, PERF_EVENT_IOC.ENABLE, 0), 0, 'child: ENABLE');
      setup(ctx, base);
      spinUntilSignal(ctx, base);
      return 42;
    }
    case 'spin_child': {
      const base = 0x10000;
      setup(ctx, base);
      spinUntilSignal(ctx, base); // block until parent enables event
      return 42;
    }
    case 'main':
      return fixture(ctx, arg.test);
  }
}

function fixture(ctx: TaskContext, test: RemoveOnExecTest): number {
  const base = ctx.mem.alloc(BYTES);
  check(base === 0x10000, 'the struct is the first allocation');
  setup(ctx, base);
  let started = 0;
  ctx.sigaction('SIGUSR1', () => started++);
  const fd = ctx.perf_event_open(makeEventAttr(base + LOOP_PC), 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
  const me = ctx.getpid();
  const fork = (role: Arg['role']): number => ctx.clone({ arg: { role, test, fd, parent: me } satisfies Arg });
  const running = (pid: number): boolean => {
    try {
      ctx.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waitStarted = (n: number): void => {
    for (let i = 0; i < 2000 && started < n; i++) {
      try {
        ctx.nanosleep(5e6);
      } catch {
        /* EINTR: SIGUSR1 arrived */
      }
    }
    check(started >= n, `${n} exec'd children started spinning`);
  };
  const sleep = (ns: number): void => {
    try {
      ctx.nanosleep(ns);
    } catch {
      /* EINTR */
    }
  };

  switch (test) {
    case 'fork_only': {
      // Verify event propagates to fork'd child.
      const pid = fork('fork_only_child');
      spinUntilSignal(ctx, base); // child enables event
      checkEq(JSON.stringify({ ...ctx.waitpid(pid), pid: undefined }), '{"code":42}', 'child exit status');
      break;
    }
    case 'fork_exec_then_enable': {
      // Event does not propagate to the fork+exec'd child; enabled after fork+exec.
      const onlyFork = fork('spin_child');
      const pidExec = fork('fork_exec');
      check(running(pidExec), 'child is running');
      waitStarted(1); // wait for exec'd child to start spinning
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.ENABLE, 0), 0, 'ENABLE');
      sleep(100e6); // give time for event to trigger (in case of bug)
      check(running(pidExec), 'the exec\'d child should still be running');
      ctx.kill(pidExec, 'SIGKILL');
      const tmp = signalCount(ctx, base);
      spinUntilSignal(ctx, base, tmp); // removal from the child did not affect this task's event
      checkEq(JSON.stringify({ ...ctx.waitpid(onlyFork), pid: undefined }), '{"code":42}', 'nor the first child');
      break;
    }
    case 'enable_then_fork_exec': {
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.ENABLE, 0), 0, 'ENABLE');
      const pidExec = fork('fork_exec');
      waitStarted(1);
      sleep(100e6);
      check(running(pidExec), 'the exec\'d child should still be running');
      ctx.kill(pidExec, 'SIGKILL');
      const tmp = signalCount(ctx, base);
      spinUntilSignal(ctx, base, tmp);
      break;
    }
    case 'exec_stress': {
      // Upstream forks all 30 at once. Here each fork waits for its exec'd child's SIGUSR1 first:
      // legacy signals coalesce, and killing a task whose worker is still loading its module can
      // abort Node 20 (a V8 fatal error in require(esm)), so every child must be running first.
      const pids: number[] = [];
      for (let i = 0; i < 30; i++) {
        pids.push(fork('fork_exec'));
        waitStarted(i + 1);
        if (i > 10) checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.ENABLE, 0), 0, 'ENABLE'); // some forked disabled, rest enabled
      }
      sleep(100e6); // give time for event to trigger (in case of bug)
      for (const pid of pids) {
        check(running(pid), `child ${pid} should still be running`);
        ctx.kill(pid, 'SIGKILL');
      }
      const tmp = signalCount(ctx, base);
      spinUntilSignal(ctx, base, tmp); // the event is still alive
      break;
    }
  }
  ctx.close(fd);
  return 0;
}
