// Test program: a plain receiver. Registers, creates an fd for arg.vector (fd 3 in a fresh process),
// unmasks, adds 1 to mbox word 0 (ready), then sleeps in uintr_wait until arg.count deliveries
// (bounded). Exit 0, or 2 when the bound passed.
import type { TaskContext } from '../../task/ctx.js';
import { clockNs } from '../../shm/clock.js';
import { bump } from './uintr-lib.js';

export default function main(ctx: TaskContext, arg: { mbox: SharedArrayBuffer; vector?: number; count?: number }): number {
  let got = 0;
  ctx.uintr_register_handler(() => got++);
  ctx.uintr_create_fd(arg.vector ?? 7);
  ctx.stui();
  bump(new Int32Array(arg.mbox, 0, 8), 0);
  const end = clockNs() + 20e9;
  while (got < (arg.count ?? 1)) {
    ctx.uintr_wait(1_000_000);
    if (clockNs() > end) return 2;
  }
  return 0;
}
