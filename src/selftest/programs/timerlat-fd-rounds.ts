// Program: `rounds` rounds of the timerlat_fd loop (open, `loops` reads, close) on one CPU, with a
// handshake between rounds through a shared mailbox: after round r it stores r+1 in word 0 and waits
// (nanosleep, bounded) until the controller stores r+1 in word 1. Lets a test change the lab between
// rounds (e.g. resize the ring) while the task lives on. Exit 0; 4 when the controller never answers.
import type { TaskContext } from '../../task/ctx.js';

export default function main(ctx: TaskContext, arg: { cpu: number; loops: number; rounds: number; mbox: SharedArrayBuffer }): number {
  const box = new Int32Array(arg.mbox);
  ctx.sched_setaffinity([arg.cpu]);
  for (let r = 0; r < arg.rounds; r++) {
    const fd = ctx.open(`/sys/kernel/tracing/osnoise/per_cpu/cpu${arg.cpu}/timerlat_fd`, 'r');
    for (let i = 0; i < arg.loops; i++) ctx.read(fd, 1024);
    ctx.close(fd);
    Atomics.store(box, 0, r + 1); // publish: round done
    if (r + 1 === arg.rounds) break;
    for (let waited = 0; Atomics.load(box, 1) < r + 1; waited++) { // acquire: the controller's go
      if (waited > 30_000) return 4;
      ctx.nanosleep(1e6);
    }
  }
  return 0;
}
