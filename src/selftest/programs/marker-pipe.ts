// Task program: opens trace_pipe and blocks in read() until a line arrives, then exits 0 when it
// contains `arg.expect`, else 2. Runs in a user-task worker; the read is a blocking control-plane
// syscall that a trace_marker write (or SIGKILL / close) ends.
import type { TaskContext } from '../../task/ctx.js';

export default function main(ctx: TaskContext, arg: { readonly expect: string }): number {
  const fd = ctx.open('/sys/kernel/tracing/trace_pipe', 'r');
  const text = ctx.read(fd, 4096);
  ctx.close(fd);
  return text.includes(arg.expect) ? 0 : 2;
}
