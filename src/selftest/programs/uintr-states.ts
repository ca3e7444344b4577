// Test program: delivery in each receiver state. A thread of this process sends one post after a
// "go" word; the receiver is meanwhile:
//  - 'poll':      running, calling uintr_poll() (the explicit interrupt point);
//  - 'syscall':   running, making syscalls (getpid) and never polling: taken at syscall entry;
//  - 'nanosleep': blocked in another syscall: delivered when it returns, not earlier, and the sleep
//                 is not cut short;
//  - 'wait':      blocked in uintr_wait: woken at once (long before its timeout) with EINTR.
// Exit 0, or the number of the failed check.
import type { TaskContext } from '../../task/ctx.js';
import { clockNs } from '../../shm/clock.js';
import { awaitWord, bump } from './uintr-lib.js';

const BOUND_NS = 20e9;
const SLEEP_NS = 400e6;

export default function main(ctx: TaskContext, arg: { state: 'poll' | 'syscall' | 'nanosleep' | 'wait' }): number {
  let got = 0;
  let handledNs = 0;
  ctx.uintr_register_handler(() => {
    got++;
    handledNs = clockNs();
  });
  const fd = ctx.uintr_create_fd(9);
  ctx.stui();
  const mbox = new SharedArrayBuffer(64);
  const i32 = new Int32Array(mbox, 0, 8);
  const sentNs = new Float64Array(mbox, 32, 1);
  const delayMs = arg.state === 'nanosleep' ? 30 : 0;
  const tid = ctx.clone({ thread: true, module: new URL('./uintr-send.js', import.meta.url), arg: { fds: [fd], sends: 1, mbox, awaitGo: true, delayMs } });
  // The sleep below must contain the post: start only once the sender thread runs (its worker may
  // take a while to start on a loaded host), so "go" + 30 ms lands inside the 400 ms sleep.
  if (arg.state === 'nanosleep' && !awaitWord(i32, 5, 1, 30_000)) return 10;
  const t0 = clockNs();
  bump(i32, 0);
  switch (arg.state) {
    case 'poll':
      while (got === 0 && clockNs() - t0 < BOUND_NS) ctx.uintr_poll();
      break;
    case 'syscall':
      while (got === 0 && clockNs() - t0 < BOUND_NS) ctx.getpid();
      break;
    case 'nanosleep': {
      const start = clockNs();
      ctx.nanosleep(SLEEP_NS);
      const end = clockNs();
      if (got !== 1) return 2; // delivered on return from the syscall
      if (end - start < SLEEP_NS) return 3; // the post did not cut the sleep short
      if (handledNs < start + SLEEP_NS) return 4; // not delivered during the sleep
      if (Atomics.load(i32, 1) !== 1 || sentNs[0]! > start + SLEEP_NS) return 5; // the post really came during the sleep
      break;
    }
    case 'wait': {
      const r = ctx.uintr_wait(BOUND_NS / 1e3);
      if (r !== 'EINTR') return 6;
      if (clockNs() - t0 >= BOUND_NS) return 7;
      break;
    }
  }
  if (got !== 1) return 8;
  const st = ctx.pthread_join(tid);
  if (!('code' in st) || st.code !== 0) return 9;
  return 0;
}
