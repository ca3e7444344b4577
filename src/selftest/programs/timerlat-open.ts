// Program: try to open a timerlat_fd under given conditions and exit with a code for the errno seen:
// 0 opened (then holds it until killed when arg.hold, else closes), 10 EINVAL, 11 EBUSY, 12 EPERM, 13 ENOENT.
import type { TaskContext } from '../../task/ctx.js';

const CODES: Record<string, number> = { EINVAL: 10, EBUSY: 11, EPERM: 12, ENOENT: 13 };

export default function main(ctx: TaskContext, arg: { cpu: number; pin?: number[]; hold?: boolean; twice?: boolean }): number {
  if (arg.pin !== undefined) ctx.sched_setaffinity(arg.pin);
  try {
    const fd = ctx.open(`/sys/kernel/tracing/osnoise/per_cpu/cpu${arg.cpu}/timerlat_fd`);
    if (arg.twice === true) ctx.open(`/sys/kernel/tracing/osnoise/per_cpu/cpu${arg.cpu}/timerlat_fd`);
    if (arg.hold === true) for (;;) ctx.read(fd);
    ctx.close(fd);
    return 0;
  } catch (e) {
    const code = CODES[(e as { code?: string }).code ?? ''];
    if (code === undefined) throw e;
    return code;
  }
}
