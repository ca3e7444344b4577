// perf self-test program: inheritance rules. 'matrix': three events (A inherit+inherit_thread+sigtrap,
// B inherit counting, C inherit+sigtrap) and four kinds of child (thread, fork, each with and
// without CLONE_CLEAR_SIGHAND); each child touches A, B and C `N` times and the parent's read()
// shows which children had which event. 'modify': MODIFY_ATTRIBUTES moves a running child's
// watchpoint. 'storm': many threads hit one watchpoint at once; per-thread trap counts must equal
// per-thread accesses. 'exec': exec keeps a non-CLOEXEC perf fd but removes the event.
import { HW_BREAKPOINT, PERF_EVENT_IOC, PERF_TYPE, TRAP_PERF, type PerfEventAttr } from '../../perf/abi.js';
import type { SigInfo } from '../../kernel/signal.js';
import type { TaskContext } from '../../task/ctx.js';
import { barrierWait, check, checkEq, sigtrapAttr } from './perf-lib.js';

const N = 50;
interface Arg {
  readonly role: 'main' | 'toucher' | 'mover' | 'stormer' | 'after_exec';
  readonly case: 'matrix' | 'modify' | 'storm' | 'exec';
  readonly base?: number;
  readonly index?: number;
  readonly iters?: number;
  readonly fd?: number;
}

const A = 0;
const B = 8;
const C = 16;
const TRAPS = 24; // u32: traps the child took

function counting(addr: number): PerfEventAttr {
  return { type: PERF_TYPE.BREAKPOINT, bp_type: HW_BREAKPOINT.RW, bp_addr: addr, bp_len: 4, exclude_kernel: 1, inherit: 1 };
}

function trapCounter(ctx: TaskContext, at: number, also?: (info: SigInfo) => void): void {
  ctx.sigaction('SIGTRAP', (_s: number, info: SigInfo) => {
    if (info.si_code !== TRAP_PERF) return;
    ctx.mem.fetchAdd32(at, 1);
    also?.(info);
  });
}

export default function main(ctx: TaskContext, arg: Arg): number {
  const m = ctx.mem;
  switch (arg.role) {
    case 'toucher': {
      const base = arg.base!;
      trapCounter(ctx, base + TRAPS);
      for (let i = 0; i < N; i++) {
        m.load32(base + A);
        m.load32(base + B);
        m.load32(base + C);
      }
      return 0;
    }
    case 'mover': {
      const base = arg.base!;
      let data = -1n;
      trapCounter(ctx, base + TRAPS, (info) => (data = info.si_perf_data as bigint));
      barrierWait(ctx, base + 32, 2); // the parent modifies, then arrives
      m.load8(base + A); // the old address: no longer watched
      checkEq(m.atomicLoad32(base + TRAPS), 0, 'old address after MODIFY');
      m.load8(base + B);
      checkEq(m.atomicLoad32(base + TRAPS), 1, 'new address after MODIFY');
      checkEq(data, 99n, 'si_perf_data is the modified sig_data');
      return 0;
    }
    case 'stormer': {
      const base = arg.base!;
      const mine = base + 64 + arg.index! * 8;
      trapCounter(ctx, mine);
      barrierWait(ctx, base + 32, 9);
      for (let i = 0; i < arg.iters!; i++) m.load32(base + A);
      return 0;
    }
    case 'after_exec': {
      // A fresh address space; the fd survived exec (no CLOEXEC), its event did not.
      const v = m.alloc(8);
      trapCounter(ctx, m.alloc(8));
      m.load32(v);
      checkEq(ctx.read(arg.fd!), 3, 'the fd still reads the count from before exec');
      m.load32(v);
      checkEq(ctx.read(arg.fd!), 3, 'no more counting after exec: the event was removed');
      ctx.close(arg.fd!);
      return 0;
    }
    case 'main':
      break;
  }
  const base = m.alloc(64 + 8 * 8);
  switch (arg.case) {
    case 'matrix': {
      trapCounter(ctx, base + TRAPS);
      const fa = ctx.perf_event_open(sigtrapAttr(true, base + A, 1, { bp_len: 4 }));
      const fb = ctx.perf_event_open(counting(base + B));
      const fc = ctx.perf_event_open(sigtrapAttr(true, base + C, 3, { bp_len: 4, inherit_thread: 0 }));
      const kinds = [
        { thread: true, clearSighand: false, want: [N, N, N] },
        { thread: false, clearSighand: false, want: [0, N, N] },
        { thread: false, clearSighand: true, want: [0, N, 0] },
        { thread: true, clearSighand: true, want: [0, N, 0] },
      ];
      for (const k of kinds) {
        const before = [ctx.read(fa), ctx.read(fb), ctx.read(fc)];
        const pid = ctx.clone({ thread: k.thread, clearSighand: k.clearSighand, arg: { role: 'toucher', case: 'matrix', base } satisfies Arg });
        checkEq(JSON.stringify({ ...(k.thread ? ctx.pthread_join(pid) : ctx.waitpid(pid)), pid: undefined }), '{"code":0}', `child ${JSON.stringify(k)}`);
        const got = [ctx.read(fa) - before[0]!, ctx.read(fb) - before[1]!, ctx.read(fc) - before[2]!];
        checkEq(JSON.stringify(got), JSON.stringify(k.want), `events seen by a ${k.thread ? 'thread' : 'fork'}${k.clearSighand ? ' with CLONE_CLEAR_SIGHAND' : ''} [A inherit_thread+sigtrap, B inherit, C inherit+sigtrap]`);
      }
      // Threads share memory, forks have copies: only the first thread's 2N traps (A and C) land here.
      checkEq(m.load32(base + TRAPS), 2 * N, 'traps recorded in the parent\'s memory');
      return 0;
    }
    case 'modify': {
      const fd = ctx.perf_event_open(sigtrapAttr(false, base + A, 0));
      const pid = ctx.clone({ thread: true, arg: { role: 'mover', case: 'modify', base } satisfies Arg });
      checkEq(ctx.ioctl(fd, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, { ...sigtrapAttr(true, base + B, 0), sig_data: 99 }), 0, 'MODIFY_ATTRIBUTES');
      barrierWait(ctx, base + 32, 2);
      checkEq(JSON.stringify(ctx.pthread_join(pid)), '{"code":0}', 'the child saw the modified watchpoint');
      checkEq(ctx.read(fd), 1, 'the child\'s hit is in the parent\'s count');
      return 0;
    }
    case 'storm': {
      const fd = ctx.perf_event_open(sigtrapAttr(true, base + A, 0, { bp_len: 4 }));
      const iters = [997, 1500, 2048, 3001, 1234, 777, 2500, 1999];
      const pids = iters.map((n, index) => ctx.clone({ thread: true, arg: { role: 'stormer', case: 'storm', base, index, iters: n } satisfies Arg }));
      barrierWait(ctx, base + 32, 9);
      for (const p of pids) checkEq(JSON.stringify(ctx.pthread_join(p)), '{"code":0}', `stormer ${p}`);
      iters.forEach((n, i) => checkEq(m.load32(base + 64 + i * 8), n, `thread ${i}: traps == accesses`));
      checkEq(ctx.read(fd), iters.reduce((a, b) => a + b, 0), 'read(fd) == all accesses');
      return 0;
    }
    case 'exec': {
      trapCounter(ctx, base + TRAPS);
      const fd = ctx.perf_event_open(sigtrapAttr(true, base + A, 0)); // no FD_CLOEXEC
      for (let i = 0; i < 3; i++) m.load32(base + A);
      checkEq(m.load32(base + TRAPS), 3, 'three traps before exec');
      return ctx.exec(new URL(import.meta.url), { role: 'after_exec', case: 'exec', fd } satisfies Arg);
    }
  }
  check(false, 'unknown case');
  return 1;
}
