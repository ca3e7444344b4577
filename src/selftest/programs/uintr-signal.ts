// Test program: a catchable signal ends uintr_wait (man page: -1/EINTR once the handler ran), as any
// interruptible sleep; an ignored or blocked one does not. Roles:
//  - 'waiter' (mode 'handled'): handles SIGUSR1, sleeps in uintr_wait (60 s bound); the test sends
//    SIGUSR1 once the wait is entered. Must return EINTR early, the handler having run once and no
//    user interrupt delivered.
//  - 'waiter' (mode 'ignored'): SIGUSR2 ignored, SIGUSR1 handled but blocked; the test sends both
//    while it waits. The wait must time out (2 s); unblocking SIGUSR1 then runs its handler once.
//  - 'killer': waits for mbox word 0, then kill(arg.pid, arg.sig) from this task (the ctx path).
// Exit 0, or the number of the failed check.
import type { TaskContext } from '../../task/ctx.js';
import { clockNs } from '../../shm/clock.js';
import { awaitWord } from './uintr-lib.js';

interface Arg {
  readonly role: 'waiter' | 'killer';
  readonly mode?: 'handled' | 'ignored';
  readonly mbox?: SharedArrayBuffer;
  readonly pid?: number;
  readonly sig?: string;
}

const BOUND_US = 60e6;
const IGNORED_WAIT_US = 2e6;

export default function main(ctx: TaskContext, arg: Arg): number {
  if (arg.role === 'killer') {
    if (!awaitWord(new Int32Array(arg.mbox!), 0, 1, 30_000)) return 20;
    ctx.kill(arg.pid!, arg.sig!);
    return 0;
  }
  let uintrs = 0;
  let handled = 0;
  ctx.uintr_register_handler(() => {
    uintrs++;
  });
  ctx.uintr_create_fd(3);
  ctx.stui();
  ctx.sigaction('SIGUSR1', () => {
    handled++;
  });
  if (arg.mode === 'ignored') {
    ctx.sigaction('SIGUSR2', 'SIG_IGN');
    ctx.sigprocmask('SIG_BLOCK', ['SIGUSR1']);
    const t0 = clockNs();
    const r = ctx.uintr_wait(IGNORED_WAIT_US);
    if (r !== 'timed-out') return 2; // an ignored or blocked signal ended the wait
    if (clockNs() - t0 < IGNORED_WAIT_US * 1e3) return 3;
    if (handled !== 0) return 4;
    ctx.sigprocmask('SIG_UNBLOCK', ['SIGUSR1']); // the pending SIGUSR1 is delivered now
    if ((handled as number) !== 1) return 5; // (the handler changes it behind the compiler's back)
    return uintrs === 0 ? 0 : 6;
  }
  const t0 = clockNs();
  const r = ctx.uintr_wait(BOUND_US);
  if (r !== 'EINTR') return 7; // slept to the bound: the signal did not wake it
  if (handled !== 1) return 8; // EINTR comes after the handler ran, exactly once
  if (uintrs !== 0) return 9; // no user interrupt was posted
  if (clockNs() - t0 >= BOUND_US * 1e3) return 10;
  return 0;
}
