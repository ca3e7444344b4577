// Program for `tracelab stress timerlat`: one timerlat_fd holder life. Pin to arg.cpu, open its
// timerlat_fd, read arg.loops times (0: until killed or a read fails), optionally migrate itself
// after arg.migrateAfter reads, close. Counts completed reads in arg.counter[arg.slot] (a shared
// Int32Array) so the control plane can wait for progress without sleeping.
// Exit codes: 0 closed after the loops, 3 a read failed with EINVAL (migrated, or the workload
// went away), 10 EINVAL / 11 EBUSY / 12 EPERM / 13 ENOENT at open().
import type { TaskContext } from '../../task/ctx.js';

const OPEN_CODES: Record<string, number> = { EINVAL: 10, EBUSY: 11, EPERM: 12, ENOENT: 13 };

interface Arg {
  readonly cpu: number;
  readonly loops: number;
  readonly counter: SharedArrayBuffer;
  readonly slot: number;
  readonly migrateAfter?: number;
  readonly migrateTo?: number;
}

export default function main(ctx: TaskContext, arg: Arg): number {
  const reads = new Int32Array(arg.counter);
  ctx.sched_setaffinity([arg.cpu]);
  let fd: number;
  try {
    fd = ctx.open(`/sys/kernel/tracing/osnoise/per_cpu/cpu${arg.cpu}/timerlat_fd`, 'r');
  } catch (e) {
    const code = OPEN_CODES[(e as { code?: string }).code ?? ''];
    if (code === undefined) throw e;
    return code;
  }
  for (let i = 0; arg.loops === 0 || i < arg.loops; i++) {
    if (arg.migrateTo !== undefined && i === (arg.migrateAfter ?? 0)) ctx.sched_setaffinity([arg.migrateTo]);
    try {
      ctx.read(fd, 1024);
    } catch (e) {
      if ((e as { code?: string }).code === 'EINVAL') return 3;
      throw e;
    }
    Atomics.add(reads, arg.slot, 1); // RMW only: the control plane only loads it
    Atomics.notify(reads, arg.slot);
  }
  ctx.close(fd);
  return 0;
}
