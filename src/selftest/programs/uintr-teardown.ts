// Test program: teardown across processes. role 'receiver' (default): register, create an fd, fork a
// 'sender' child (it inherits a copy of the fd), write the child's pid to mbox[2], take `rx`
// deliveries, then exit (or, with arg.linger, stay in uintr_wait loops until killed). role 'sender':
// connect, storm senduipi until the receiver is gone (kill(pid, 0) → ESRCH), keep sending (silently
// dropped, no fault), then check that connecting again is ESHUTDOWN. Exit 0 or the failed check.
import type { TaskContext } from '../../task/ctx.js';
import { clockNs } from '../../shm/clock.js';
import { bump, errOf } from './uintr-lib.js';

interface Arg {
  readonly role?: 'receiver' | 'sender';
  readonly mbox: SharedArrayBuffer;
  readonly rx?: number;
  readonly linger?: boolean;
  readonly fd?: number;
  readonly receiver?: number;
}

const BOUND_NS = 20e9;

export default function main(ctx: TaskContext, arg: Arg): number {
  const i32 = new Int32Array(arg.mbox, 0, 8);
  if (arg.role === 'sender') {
    const idx = ctx.uintr_register_sender(arg.fd!);
    bump(i32, 0); // connected
    const end = clockNs() + BOUND_NS;
    let sent = 0;
    while (errOf(() => ctx.kill(arg.receiver!, 0)) === 'ok') {
      ctx.senduipi(idx);
      sent++;
      if ((sent & 63) === 0) ctx.sched_yield();
      if (clockNs() > end) return 2;
    }
    for (let k = 0; k < 1000; k++) ctx.senduipi(idx); // to a dead receiver: no fault, no feedback
    Atomics.store(i32, 3, Math.min(sent, 0x7fffffff));
    return errOf(() => ctx.uintr_register_sender(arg.fd!)) === 'ESHUTDOWN' ? 0 : 3;
  }
  let got = 0;
  ctx.uintr_register_handler(() => got++);
  const fd = ctx.uintr_create_fd(12);
  ctx.stui();
  const child = ctx.clone({ module: new URL(import.meta.url), arg: { role: 'sender', mbox: arg.mbox, fd, receiver: ctx.getpid() } });
  Atomics.store(i32, 2, child);
  bump(i32, 1);
  const end = clockNs() + BOUND_NS;
  while (got < (arg.rx ?? 10) || arg.linger === true) {
    ctx.uintr_wait(100_000);
    if (clockNs() > end) return 4;
  }
  return 0;
}
