// perf self-test program: one task's own watchpoint. arg.case picks the check:
// 'sync' (handler runs before the access returns, siginfo fields, ioctls), 'blocked' (SIGTRAP
// blocked → queued once, ASYNC flag), 'segv' (access outside an allocation), 'other' (armed on
// another address: no trap, no count), 'refresh' (event_limit), 'errors' (validation errnos).
import { BUS_ADRALN, SEGV_MAPERR, HW_BREAKPOINT, PERF_EVENT_IOC, PERF_FLAG, PERF_TYPE, PERF_COUNT_SW, TRAP_PERF, TRAP_PERF_FLAG_ASYNC, type PerfEventAttr } from '../../perf/abi.js';
import type { SigInfo } from '../../kernel/signal.js';
import type { TaskContext } from '../../task/ctx.js';
import { check, checkEq, errCode, sigtrapAttr, testSigData } from './perf-lib.js';

type Case = 'sync' | 'blocked' | 'segv' | 'other' | 'refresh' | 'errors' | 'software';

export default function main(ctx: TaskContext, arg: { case: Case }): number {
  switch (arg.case) {
    case 'sync': return sync(ctx);
    case 'blocked': return blocked(ctx);
    case 'segv': return segv(ctx);
    case 'other': return other(ctx);
    case 'refresh': return refresh(ctx);
    case 'errors': return errors(ctx);
    case 'software': return software(ctx);
  }
}

function sync(ctx: TaskContext): number {
  const log: string[] = [];
  const infos: SigInfo[] = [];
  ctx.sigaction('SIGTRAP', (_sig, info) => {
    log.push('handler');
    infos.push(info);
  });
  const v = ctx.mem.alloc(8);
  const fd = ctx.perf_event_open(sigtrapAttr(true, v, 7), 0, -1, -1, PERF_FLAG.FD_CLOEXEC);
  ctx.mem.store32(v, 5);
  log.push('store returned');
  checkEq(log.join(','), 'handler,store returned', 'the handler ran before the store returned');
  const i = infos[0]!;
  checkEq(i.si_signo, 5, 'si_signo');
  checkEq(i.si_code, TRAP_PERF, 'si_code TRAP_PERF');
  checkEq(i.si_errno, 0, 'si_errno');
  checkEq(i.si_addr, v, 'si_addr is the watched address');
  checkEq(i.si_perf_data, testSigData(v, 7), 'si_perf_data = sig_data');
  checkEq(i.si_perf_type, PERF_TYPE.BREAKPOINT, 'si_perf_type = attr.type');
  checkEq(i.si_perf_flags, 0, 'si_perf_flags (not blocked)');
  checkEq(ctx.mem.load32(v), 5, 'the store happened before the trap');
  checkEq(infos.length, 2, 'the load trapped too (RW)');
  checkEq(ctx.read(fd), 2, 'count');
  ctx.mem.load8(v + 1);
  checkEq(infos.length, 2, 'bp_len 1 does not cover v+1');
  ctx.ioctl(fd, PERF_EVENT_IOC.DISABLE, 0);
  ctx.mem.store32(v, 6);
  checkEq(infos.length, 2, 'a disabled event does not trap');
  ctx.ioctl(fd, 'PERF_EVENT_IOC_ENABLE');
  ctx.mem.load16(v);
  checkEq(infos.length, 3, 'enabled again');
  ctx.ioctl(fd, PERF_EVENT_IOC.RESET, 0);
  checkEq(ctx.read(fd), 0, 'reset');
  ctx.close(fd);
  ctx.mem.store32(v, 1);
  checkEq(infos.length, 3, 'a closed event is gone');
  checkEq(errCode(() => ctx.read(fd)), 'EBADF', 'read of a closed fd');
  checkEq(errCode(() => ctx.ioctl(fd, PERF_EVENT_IOC.ENABLE, 0)), 'EBADF', 'ioctl on a closed fd');
  checkEq(errCode(() => ctx.close(fd)), 'EBADF', 'close of a closed fd');
  // A write-only watchpoint ignores reads; an X breakpoint fires on fetch only.
  const w = ctx.perf_event_open({ ...sigtrapAttr(true, v, 1), bp_type: HW_BREAKPOINT.W, bp_len: 4 });
  ctx.mem.load32(v);
  checkEq(infos.length, 3, 'W ignores loads');
  ctx.mem.store8(v + 3, 1);
  checkEq(infos.length, 4, 'W fires on a store inside [addr, addr+len)');
  ctx.close(w);
  const x = ctx.perf_event_open({ ...sigtrapAttr(true, v, 2), bp_type: HW_BREAKPOINT.X, bp_len: 8 });
  ctx.mem.load32(v);
  ctx.mem.fetch(v);
  checkEq(infos.length, 5, 'X fires on fetch only');
  ctx.close(x);
  return 0;
}

function blocked(ctx: TaskContext): number {
  const infos: SigInfo[] = [];
  ctx.sigaction('SIGTRAP', (_s, info) => infos.push(info));
  const v = ctx.mem.alloc(4);
  const fd = ctx.perf_event_open(sigtrapAttr(true, v, 0));
  ctx.sigprocmask('SIG_BLOCK', ['SIGTRAP']);
  ctx.mem.store32(v, 1);
  ctx.mem.store32(v, 2);
  checkEq(infos.length, 0, 'blocked: no handler yet');
  checkEq(ctx.read(fd), 2, 'both hits counted');
  ctx.sigprocmask('SIG_UNBLOCK', ['SIGTRAP']);
  checkEq(infos.length, 1, 'one SIGTRAP was pending (legacy signals do not queue twice)');
  checkEq(infos[0]!.si_perf_flags, TRAP_PERF_FLAG_ASYNC, 'si_perf_flags ASYNC');
  checkEq(infos[0]!.si_code, TRAP_PERF, 'the queued signal kept its siginfo');
  ctx.mem.store32(v, 3);
  checkEq(infos.length, 2, 'synchronous again once unblocked');
  checkEq(infos[1]!.si_perf_flags, 0, 'no ASYNC when unblocked');
  return 0;
}

class Fault {
  constructor(readonly info: SigInfo) {}
}

// A handler that throws unwinds out of the faulting access (the siglongjmp idiom); with the default
// action the task dies by the signal: the test expects { signal: 'SIGSEGV' }.
function segv(ctx: TaskContext): number {
  const v = ctx.mem.alloc(4);
  const fault = (fn: () => unknown): SigInfo | undefined => {
    try {
      fn();
    } catch (e) {
      if (e instanceof Fault) return e.info;
      throw e;
    }
    return undefined;
  };
  ctx.sigaction('SIGSEGV', (_s, info) => {
    throw new Fault(info);
  });
  ctx.sigaction('SIGBUS', (_s, info) => {
    throw new Fault(info);
  });
  checkEq(ctx.mem.load32(v), 0, 'fresh memory is zero');
  const a = fault(() => ctx.mem.load32(v + 64));
  checkEq(a?.si_signo, 11, 'past brk: SIGSEGV');
  checkEq(a?.si_code, SEGV_MAPERR, 'SEGV_MAPERR');
  checkEq(a?.si_addr, v + 64, 'si_addr is the faulting address');
  checkEq(fault(() => ctx.mem.store8(0, 1))?.si_signo, 11, 'NULL: SIGSEGV');
  const b = fault(() => ctx.mem.load32(v + 2));
  checkEq(b?.si_signo, 7, 'misaligned: SIGBUS');
  checkEq(b?.si_code, BUS_ADRALN, 'BUS_ADRALN');
  checkEq(fault(() => ctx.mem.fetchAdd32(v + 8, 1))?.si_signo, 11, 'atomics fault too');
  ctx.sigaction('SIGSEGV', 'SIG_DFL');
  ctx.mem.store32(v + 64, 1);
  return 3;
}

function other(ctx: TaskContext): number {
  let traps = 0;
  ctx.sigaction('SIGTRAP', () => traps++);
  const a = ctx.mem.alloc(8);
  const b = ctx.mem.alloc(8);
  const fd = ctx.perf_event_open(sigtrapAttr(true, a, 0, { bp_len: 8 }));
  for (let i = 0; i < 1000; i++) ctx.mem.store32(b, ctx.mem.load32(b) + 1);
  checkEq(traps, 0, 'no trap on another address');
  checkEq(ctx.read(fd), 0, 'no count on another address');
  checkEq(ctx.mem.load32(b), 1000, 'accesses went through');
  ctx.mem.load64(a);
  checkEq(traps, 1, 'the watched address traps');
  return 0;
}

function refresh(ctx: TaskContext): number {
  let traps = 0;
  ctx.sigaction('SIGTRAP', () => traps++);
  const v = ctx.mem.alloc(4);
  const attr: PerfEventAttr = { ...sigtrapAttr(false, v, 0), inherit: 0, inherit_thread: 0, sample_period: 2 };
  const fd = ctx.perf_event_open(attr);
  ctx.ioctl(fd, PERF_EVENT_IOC.REFRESH, 2);
  for (let i = 0; i < 10; i++) ctx.mem.load8(v);
  checkEq(traps, 2, 'two overflows, then the event disabled itself');
  checkEq(ctx.read(fd), 4, 'it counted up to the second overflow');
  const inh = ctx.perf_event_open(sigtrapAttr(false, v, 0));
  checkEq(errCode(() => ctx.ioctl(inh, PERF_EVENT_IOC.REFRESH, 1)), 'EINVAL', 'REFRESH on an inherit event');
  const counting = ctx.perf_event_open({ ...attr, sample_period: 0 });
  checkEq(errCode(() => ctx.ioctl(counting, PERF_EVENT_IOC.REFRESH, 1)), 'EINVAL', 'REFRESH on a counting event');
  checkEq(errCode(() => ctx.ioctl(fd, 0x1234, 0)), 'ENOTTY', 'unknown ioctl');
  return 0;
}

function software(ctx: TaskContext): number {
  const cs = ctx.perf_event_open({ type: PERF_TYPE.SOFTWARE, config: PERF_COUNT_SW.CONTEXT_SWITCHES, exclude_kernel: 1 });
  const tc = ctx.perf_event_open({ type: PERF_TYPE.SOFTWARE, config: PERF_COUNT_SW.TASK_CLOCK, exclude_kernel: 1 });
  const mig = ctx.perf_event_open({ type: PERF_TYPE.SOFTWARE, config: PERF_COUNT_SW.CPU_MIGRATIONS, exclude_kernel: 1 });
  for (let i = 0; i < 5; i++) ctx.nanosleep(100_000);
  check(ctx.read(cs) >= 5, `context-switches counts blocking waits (${ctx.read(cs)})`);
  check(ctx.read(tc) >= 400_000, `task-clock counts ns (${ctx.read(tc)})`);
  const cpus = ctx.nr_cpu_ids;
  if (cpus > 1) {
    ctx.sched_setaffinity([(ctx.sched_getcpu() + 1) % cpus]);
    checkEq(ctx.read(mig), 1, 'cpu-migrations counts the migration');
  }
  ctx.ioctl(cs, PERF_EVENT_IOC.DISABLE, 0);
  const frozen = ctx.read(cs);
  ctx.nanosleep(100_000);
  checkEq(ctx.read(cs), frozen, 'a disabled software event stops');
  return 0;
}

function errors(ctx: TaskContext): number {
  const v = ctx.mem.alloc(8);
  const ok = sigtrapAttr(true, v, 0);
  const e = (attr: PerfEventAttr, pid = 0, cpu = -1, group = -1, flags = 0): string => errCode(() => ctx.perf_event_open(attr, pid, cpu, group, flags));
  checkEq(e({ ...ok, inherit: 0 }), 'EINVAL', 'inherit_thread without inherit');
  checkEq(e({ ...ok, enable_on_exec: 1 }), 'EINVAL', 'remove_on_exec with enable_on_exec');
  checkEq(e({ ...ok, remove_on_exec: 0 }), 'EINVAL', 'sigtrap without remove_on_exec');
  checkEq(e(ok, -1, 0), 'EINVAL', 'sigtrap with pid -1');
  checkEq(e({ ...ok, sigtrap: 0 }, -1, 0), 'EACCES', 'a CPU-wide event unprivileged');
  checkEq(e({ ...ok, sigtrap: 0 }, -1, -1), 'EINVAL', 'pid -1 and cpu -1');
  checkEq(e({ ...ok, exclude_kernel: 0 }), 'EACCES', 'counting the kernel at paranoid 2');
  checkEq(e({ ...ok, type: 99 }), 'ENOENT', 'unknown type');
  checkEq(e({ ...ok, type: PERF_TYPE.HARDWARE }), 'ENOENT', 'no hardware PMU');
  checkEq(e({ type: PERF_TYPE.SOFTWARE, config: 12, exclude_kernel: 1 }), 'ENOENT', 'unknown software event');
  checkEq(e({ ...ok, bp_len: 3 }), 'EINVAL', 'bp_len 3');
  checkEq(e({ ...ok, bp_len: 16 }), 'EOPNOTSUPP', 'bp_len 16 (range breakpoints)');
  checkEq(e({ ...ok, bp_type: 0 }), 'EINVAL', 'bp_type EMPTY');
  checkEq(e({ ...ok, bp_type: 5 }), 'EINVAL', 'bp_type R|X');
  checkEq(e({ ...ok, bp_type: HW_BREAKPOINT.X, bp_len: 4 }), 'EINVAL', 'X with bp_len 4');
  checkEq(e({ ...ok, bp_addr: v + 1, bp_len: 4 }), 'EINVAL', 'misaligned bp_addr');
  checkEq(e({ ...ok, bp_addr: 2 ** 47 }), 'EINVAL', 'kernel address');
  checkEq(e({ ...ok, size: 32 }), 'E2BIG', 'attr.size below VER0');
  checkEq(e({ ...ok, size: 8192 }), 'E2BIG', 'attr.size above a page');
  checkEq(e({ ...ok, bogus: 1 } as PerfEventAttr), 'E2BIG', 'an unknown nonzero field');
  checkEq(e({ ...ok, size: 64 }), 'EINVAL', 'size VER0 drops bp_len (offset 64): length 0');
  checkEq(e({ ...ok, sample_period: 1n << 63n }), 'EINVAL', 'sample_period bit 63');
  checkEq(e(ok, 999_999), 'ESRCH', 'unknown pid');
  checkEq(e(ok, 0, 64), 'EINVAL', 'cpu out of range');
  checkEq(e(ok, 0, -1, 3), 'EBADF', 'group_fd not a perf fd');
  checkEq(e(ok, 0, -1, -1, 0x100), 'EINVAL', 'unknown flags');
  // The fifth breakpoint of a task has no debug register left.
  const fds = [0, 1, 2, 3].map(() => ctx.perf_event_open(ok));
  checkEq(e(ok), 'ENOSPC', 'a fifth breakpoint');
  for (const fd of fds) ctx.close(fd);
  const fd = ctx.perf_event_open(ok);
  checkEq(errCode(() => ctx.ioctl(fd, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, { ...ok, sample_period: 2 })), 'EINVAL', 'MODIFY changing sample_period');
  checkEq(errCode(() => ctx.ioctl(fd, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, { ...ok, type: PERF_TYPE.SOFTWARE })), 'EINVAL', 'MODIFY changing type');
  checkEq(errCode(() => ctx.ioctl(fd, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, { ...ok, bp_len: 3 })), 'EINVAL', 'MODIFY to a bad bp_len');
  checkEq(errCode(() => ctx.ioctl(fd, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, { ...ok, bp_addr: v + 4, bp_len: 4 })), 'ok', 'MODIFY bp_addr and bp_len');
  const sw = ctx.perf_event_open({ type: PERF_TYPE.SOFTWARE, config: PERF_COUNT_SW.DUMMY, exclude_kernel: 1 });
  checkEq(errCode(() => ctx.ioctl(sw, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, { type: PERF_TYPE.SOFTWARE, config: PERF_COUNT_SW.DUMMY, exclude_kernel: 1 })), 'EOPNOTSUPP', 'MODIFY of a software event');
  return 0;
}
