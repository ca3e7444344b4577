// Test program (a thread): a receiver with an fd for every vector 0..63, to fill a sender's UITT.
// Writes its 64 fd numbers to mbox words [8 + 64·arg.n ..], adds 1 to word 0, then stays alive
// until word 1 ≥ 1 (its fds would answer ESHUTDOWN once it exits). Exit 0.
import type { TaskContext } from '../../task/ctx.js';
import { awaitWord, bump } from './uintr-lib.js';

export default function main(ctx: TaskContext, arg: { mbox: SharedArrayBuffer; n: number }): number {
  const i32 = new Int32Array(arg.mbox);
  ctx.uintr_register_handler(() => {});
  for (let v = 0; v < 64; v++) i32[8 + 64 * arg.n + v] = ctx.uintr_create_fd(v);
  bump(i32, 0);
  return awaitWord(i32, 1, 1, 30_000) ? 0 : 2;
}
