// Test program: nothing uintr-related is inherited. A receiver+sender parent starts a thread, forks a
// child (clone without thread) and execs; each of those has no handler, no UITT and UIF = 0. The fd
// survives fork (the child registers as a sender on its copy and interrupts the parent: the documented
// way to hand a uintr fd to another process) and is shared by a thread, but is closed on exec.
// arg.role: 'parent' (default) | 'thread' | 'child' | 'after-exec'. Exit 0 or 10 + the failed check.
import type { TaskContext } from '../../task/ctx.js';
import { Checks, errOf, pollUntil } from './uintr-lib.js';

type Role = 'parent' | 'thread' | 'child' | 'after-exec';

function fresh(ctx: TaskContext, c: Checks, fd: number): void {
  let sig = 0;
  ctx.sigaction('SIGILL', (n) => (sig = n));
  c.eq('no handler: uintr_wait', errOf(() => ctx.uintr_wait(1000)), 'EOPNOTSUPP');
  c.eq('no handler: create_fd', errOf(() => ctx.uintr_create_fd(2)), 'EINVAL');
  c.eq('no handler: unregister', errOf(() => ctx.uintr_unregister_handler()), 'EINVAL');
  c.eq('UIF = 0', ctx.testui(), false);
  ctx.senduipi(0);
  c.eq('no UITT: senduipi raises SIGILL', sig, 4);
  c.eq('no UITT: unregister_sender', errOf(() => ctx.uintr_unregister_sender(0)), 'EINVAL');
  void fd;
}

export default function main(ctx: TaskContext, arg: { role?: Role; fd?: number } | undefined): number {
  const role = arg?.role ?? 'parent';
  const self = new URL(import.meta.url);
  const c = new Checks(role === 'parent' ? 10 : role === 'thread' ? 30 : role === 'child' ? 50 : 70);
  if (role === 'parent') {
    let got = 0;
    ctx.uintr_register_handler(() => got++);
    const fd = ctx.uintr_create_fd(4);
    ctx.uintr_register_sender(fd);
    ctx.stui();
    const thread = ctx.clone({ thread: true, module: self, arg: { role: 'thread', fd } });
    const ts = ctx.pthread_join(thread);
    c.eq('thread checks', 'code' in ts ? ts.code : ts.signal, 0);
    c.eq('the thread interrupted us through the shared fd', pollUntil(ctx, () => got >= 1), true);
    const child = ctx.clone({ module: self, arg: { role: 'child', fd } });
    const cs = ctx.waitpid(child);
    c.eq('child checks', 'code' in cs ? cs.code : cs.signal, 0);
    c.eq('the forked child interrupted us through its fd copy', pollUntil(ctx, () => got >= 2), true);
    c.eq('the child closing its copy leaves ours open', errOf(() => ctx.uintr_create_fd(4)), 'EBUSY');
    if (c.code !== 0) {
      process.stderr.write(`uintr-inherit parent: ${c.failed.join('; ')}\n`);
      return c.code;
    }
    ctx.exec(self, { role: 'after-exec', fd });
  }
  const fd = arg!.fd!;
  fresh(ctx, c, fd);
  if (role === 'after-exec') {
    c.eq('uintr fd closed on exec', errOf(() => ctx.uintr_register_sender(fd)), 'EBADF');
    c.eq('register works again after exec', errOf(() => ctx.uintr_register_handler(() => {})), 'ok');
  } else {
    const idx = ctx.uintr_register_sender(fd); // the fd is here: shared (thread) or copied (fork)
    ctx.senduipi(idx);
    if (role === 'child') ctx.close(fd);
  }
  if (c.failed.length > 0) process.stderr.write(`uintr-inherit ${role}: ${c.failed.join('; ')}\n`);
  return c.code;
}
