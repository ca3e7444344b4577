// Test program: tools/testing/selftests/x86/uintr.c through ctx. test_base_ipi: register a handler,
// create an fd, register as a sender to it, senduipi, and the handler sees the vector (spin on
// uintr_poll). test_blocking_ipi (arg.blocking): a thread of this process sends while we sit in uintr_wait.
// Exit 0 on success; other codes name the failed step.
import type { TaskContext } from '../../task/ctx.js';
import { pollUntil } from './uintr-lib.js';

export default function main(ctx: TaskContext, arg: { blocking?: boolean } | undefined): number {
  let received = 0;
  let vector = -1;
  ctx.uintr_register_handler((v) => {
    received = 1;
    vector = v;
  });
  const fd = ctx.uintr_create_fd(0);
  ctx.stui();
  if (arg?.blocking === true) {
    const tid = ctx.clone({ thread: true, module: new URL('./uintr-send.js', import.meta.url), arg: { fds: [fd], sends: 1 } });
    const r = ctx.uintr_wait(10_000_000);
    if (r !== 'EINTR') return 2;
    const st = ctx.pthread_join(tid);
    if (!('code' in st) || st.code !== 0) return 3;
  } else {
    const idx = ctx.uintr_register_sender(fd);
    ctx.senduipi(idx);
    if (!pollUntil(ctx, () => received === 1)) return 4;
    ctx.uintr_unregister_sender(idx);
  }
  if (received !== 1 || vector !== 0) return 5;
  ctx.close(fd);
  ctx.uintr_unregister_handler();
  return 0;
}
