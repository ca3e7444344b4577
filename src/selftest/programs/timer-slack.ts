// Test program: writes its thread's timer slack to trace_marker (`timer_slack_ns=N`, or the errno
// code when /proc refuses), then exits 0. Reads /proc/TID/timerslack_ns itself, not through the lab's
// helper, so it shows what a user task's worker really has (LabOptions.timerSlackNs).
import { readFileSync, readlinkSync } from 'node:fs';
import type { TaskContext } from '../../task/ctx.js';

function ownSlack(): string {
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    return readFileSync(`/proc/${tid}/timerslack_ns`, 'utf8').trim();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'unknown';
  }
}

export default function main(ctx: TaskContext): number {
  const fd = ctx.open('/sys/kernel/tracing/trace_marker', 'w');
  ctx.write(fd, `timer_slack_ns=${ownSlack()}\n`);
  ctx.close(fd);
  return 0;
}
