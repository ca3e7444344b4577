// Test program: senduipi faults are synchronous signals to the sender. arg.kind: 'no-uitt' (SIGILL),
// 'bad-index' / 'freed-index' (SIGSEGV). With arg.handle, a handler catches it and the program
// exits 40 + signal number; without, the task dies by the signal.
import type { TaskContext } from '../../task/ctx.js';

export default function main(ctx: TaskContext, arg: { kind: 'no-uitt' | 'bad-index' | 'freed-index'; handle?: boolean }): number {
  let caught = 0;
  if (arg.handle === true) for (const sig of ['SIGILL', 'SIGSEGV']) ctx.sigaction(sig, (n) => (caught = n));
  if (arg.kind === 'no-uitt') {
    ctx.senduipi(0);
  } else {
    ctx.uintr_register_handler(() => {});
    const idx = ctx.uintr_register_sender(ctx.uintr_create_fd(3));
    if (arg.kind === 'freed-index') {
      ctx.uintr_unregister_sender(idx);
      ctx.senduipi(idx);
    } else {
      ctx.senduipi(idx + 7);
    }
  }
  return caught === 0 ? 1 : 40 + caught;
}
