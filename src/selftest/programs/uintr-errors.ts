// Test program: every uintr error code of the RFC man pages through ctx, and that a failed call
// changes nothing. Exit 0, or 10 + the number of the first failed check (printed to stderr).
import type { TaskContext } from '../../task/ctx.js';
import { Checks, awaitWord, bump, errOf, pollUntil } from './uintr-lib.js';

export default function main(ctx: TaskContext): number {
  const c = new Checks();
  let got = 0;
  const h = (): void => {
    got++;
  };
  // Before any handler.
  c.eq('create_fd without handler', errOf(() => ctx.uintr_create_fd(0)), 'EINVAL');
  c.eq('uintr_wait without handler', errOf(() => ctx.uintr_wait(1000)), 'EOPNOTSUPP');
  c.eq('unregister_handler without handler', errOf(() => ctx.uintr_unregister_handler()), 'EINVAL');
  c.eq('unregister_sender without UITT', errOf(() => ctx.uintr_unregister_sender(0)), 'EINVAL');
  c.eq('register_handler flags', errOf(() => ctx.uintr_register_handler(h, 1)), 'EINVAL');
  c.eq('register_handler non-function', errOf(() => ctx.uintr_register_handler(42 as unknown as () => void)), 'EFAULT');
  c.eq('testui before register', ctx.testui(), false);
  // Receiver.
  c.eq('register_handler', errOf(() => ctx.uintr_register_handler(h)), 'ok');
  c.eq('register_handler twice', errOf(() => ctx.uintr_register_handler(h)), 'EBUSY');
  c.eq('UIF starts 0', ctx.testui(), false);
  c.eq('create_fd vector 64', errOf(() => ctx.uintr_create_fd(64)), 'ENOSPC');
  c.eq('create_fd vector -1', errOf(() => ctx.uintr_create_fd(-1)), 'ENOSPC');
  c.eq('create_fd flags', errOf(() => ctx.uintr_create_fd(1, 1)), 'EINVAL');
  const fd = ctx.uintr_create_fd(1);
  c.eq('create_fd taken vector', errOf(() => ctx.uintr_create_fd(1)), 'EBUSY');
  c.eq('uintr_wait flags', errOf(() => ctx.uintr_wait(1000, 1)), 'EINVAL');
  c.eq('uintr_wait bad usec', errOf(() => ctx.uintr_wait(-1)), 'EINVAL');
  c.eq('unregister_handler flags', errOf(() => ctx.uintr_unregister_handler(1)), 'EINVAL');
  // Sender.
  const tfd = ctx.open('/sys/kernel/tracing/tracing_on');
  c.eq('register_sender flags', errOf(() => ctx.uintr_register_sender(fd, 1)), 'EINVAL');
  c.eq('register_sender unknown fd', errOf(() => ctx.uintr_register_sender(99)), 'EBADF');
  c.eq('register_sender non-uintr fd', errOf(() => ctx.uintr_register_sender(tfd)), 'EOPNOTSUPP');
  ctx.close(tfd);
  c.eq('register_sender closed non-uintr fd', errOf(() => ctx.uintr_register_sender(tfd)), 'EBADF');
  const idx = ctx.uintr_register_sender(fd);
  c.eq('register_sender twice', errOf(() => ctx.uintr_register_sender(fd)), 'EISCONN');
  c.eq('unregister_sender flags', errOf(() => ctx.uintr_unregister_sender(idx, 1)), 'EINVAL');
  c.eq('unregister_sender out of range', errOf(() => ctx.uintr_unregister_sender(256)), 'EINVAL');
  c.eq('unregister_sender not connected', errOf(() => ctx.uintr_unregister_sender(idx + 1)), 'EINVAL');
  // Nothing changed: the connection still delivers.
  ctx.stui();
  ctx.senduipi(idx);
  c.eq('still delivers after the errors', pollUntil(ctx, () => got === 1), true);
  c.eq('unregister_sender', errOf(() => ctx.uintr_unregister_sender(idx)), 'ok');
  c.eq('unregister_sender twice', errOf(() => ctx.uintr_unregister_sender(idx)), 'EINVAL');
  // close.
  c.eq('close uintr fd', errOf(() => ctx.close(fd)), 'ok');
  c.eq('close uintr fd twice', errOf(() => ctx.close(fd)), 'EBADF');
  c.eq('register_sender closed uintr fd', errOf(() => ctx.uintr_register_sender(fd)), 'EBADF');
  c.eq('vector free again after close', errOf(() => ctx.close(ctx.uintr_create_fd(1))), 'ok');
  // A full UITT: 4 receivers × 64 vectors = 256 entries, then one more.
  const mbox = new SharedArrayBuffer(4 * (8 + 64 * 5));
  const i32 = new Int32Array(mbox);
  const farm = [0, 1, 2, 3].map((n) => ctx.clone({ thread: true, module: new URL('./uintr-fdfarm.js', import.meta.url), arg: { mbox, n } }));
  c.eq('fd farms ready', awaitWord(i32, 0, 4, 20_000), true);
  let full = 'ok';
  for (let k = 0; k < 256 && full === 'ok'; k++) full = errOf(() => ctx.uintr_register_sender(i32[8 + k]!));
  c.eq('256 connections fit', full, 'ok');
  const extra = ctx.uintr_create_fd(63);
  c.eq('the 257th is ENOSPC', errOf(() => ctx.uintr_register_sender(extra)), 'ENOSPC');
  ctx.senduipi(255); // still a valid entry after the failure
  c.eq('entry 255 still valid', got, 1);
  bump(i32, 1);
  for (const t of farm) ctx.pthread_join(t);
  // Receiver gone: its fds answer ESHUTDOWN, its senders keep sending silently.
  ctx.uintr_unregister_handler();
  c.eq('register_sender to an unregistered receiver', errOf(() => ctx.uintr_register_sender(extra)), 'ESHUTDOWN');
  c.eq('senduipi to a dead receiver is silent', errOf(() => ctx.senduipi(0)), 'ok');
  c.eq('stui without a handler is harmless', errOf(() => ctx.stui()), 'ok');
  c.eq('register again after unregister', errOf(() => ctx.uintr_register_handler(h)), 'ok');
  if (c.failed.length > 0) process.stderr.write(`uintr-errors: ${c.failed.join('; ')}\n`);
  return c.code;
}
