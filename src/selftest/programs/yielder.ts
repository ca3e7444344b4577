// Program: a task that alternates sched_yield round trips through its CPU and short sleeps.
import type { TaskContext } from '../../task/ctx.js';

export default function main(ctx: TaskContext, arg: { loops?: number; sleepUs?: number } = {}): number {
  const loops = arg.loops ?? 200;
  for (let i = 0; i < loops; i++) {
    ctx.sched_yield();
    ctx.nanosleep((arg.sleepUs ?? 500) * 1e3);
  }
  return 0;
}
