// Program: the seed's timerlat_fd example (Documentation/trace/timerlat-tracer.rst, user-space
// interface) ported to a task: pin to one CPU, open osnoise/per_cpu/cpuN/timerlat_fd, loop on read().
// arg.loops = 0 loops until killed. Exits 0 after the loops, or with 3 when a read fails with EINVAL
// (e.g. after a migration).
import type { TaskContext } from '../../task/ctx.js';

export default function main(ctx: TaskContext, arg: { cpu?: number; loops?: number; migrateTo?: number; migrateAfter?: number } = {}): number {
  const cpu = arg.cpu ?? 0;
  ctx.sched_setaffinity([cpu]);
  const fd = ctx.open(`/sys/kernel/tracing/osnoise/per_cpu/cpu${cpu}/timerlat_fd`, 'r');
  const loops = arg.loops ?? 100;
  for (let i = 0; loops === 0 || i < loops; i++) {
    if (arg.migrateTo !== undefined && i === (arg.migrateAfter ?? 5)) ctx.sched_setaffinity([arg.migrateTo]);
    try {
      ctx.read(fd, 1024);
    } catch (e) {
      if ((e as { code?: string }).code === 'EINVAL') return 3;
      throw e;
    }
  }
  ctx.close(fd);
  return 0;
}
