// Program: time `rounds` sched_yield round trips (task → its CPU actor → task) into arg.samples (ns).
import type { TaskContext } from '../../task/ctx.js';

export default function main(ctx: TaskContext, arg: { samples: SharedArrayBuffer; rounds: number }): number {
  const out = new Float64Array(arg.samples);
  for (let r = 0; r < arg.rounds; r++) {
    const t0 = Number(process.hrtime.bigint());
    ctx.sched_yield();
    out[r] = Number(process.hrtime.bigint()) - t0;
  }
  return 0;
}
