// Task program: writes `count` trace_marker lines (`<prefix> <i>`), `gapUs` apart, then exits 0.
// Runs in a user-task worker; each write is a control-plane syscall that records a print event on
// the task's current CPU. Used by `tracelab record` and the trace tests. Exit 3 on an unexpected error.
import type { TaskContext } from '../../task/ctx.js';

/** Argument of the marker program. */
export interface MarkerArg {
  /** Lines to write. @default 10 */
  readonly count?: number;
  /** Busy gap between lines, µs. @default 0 */
  readonly gapUs?: number;
  /** Sleep between lines (nanosleep), µs. @default 0 */
  readonly sleepUs?: number;
  /** Text before the line number. @default 'marker' */
  readonly prefix?: string;
  /** Keep going after EBADF (tracing off or a full buffer) instead of stopping. @default true */
  readonly ignoreEbadf?: boolean;
}

export default function main(ctx: TaskContext, arg: MarkerArg = {}): number {
  const fd = ctx.open('/sys/kernel/tracing/trace_marker', 'w');
  let written = 0;
  for (let i = 0; i < (arg.count ?? 10); i++) {
    try {
      ctx.write(fd, `${arg.prefix ?? 'marker'} ${i}\n`);
      written++;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EBADF') return 3;
      if (arg.ignoreEbadf === false) return 4;
    }
    if ((arg.gapUs ?? 0) > 0) ctx.spin(arg.gapUs ?? 0);
    if ((arg.sleepUs ?? 0) > 0) ctx.nanosleep((arg.sleepUs ?? 0) * 1e3);
  }
  ctx.close(fd);
  return written === 0 && (arg.count ?? 10) > 0 ? 5 : 0;
}
