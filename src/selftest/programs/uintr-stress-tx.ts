// Stress program: a sender of `tracelab stress uintr`. Its fd table gets uintr fds 3, 4, … from the
// runner (lab.uintr.getfd) for arg.targets; after GO it connects to each and posts to seeded random
// targets until STOP, adding the target's generation word before every post (the receiver's
// delivered-or-coalesced check). A dead receiver's target just stops delivering: no fault, ever.
import type { TaskContext } from '../../task/ctx.js';
import { clockNs } from '../../shm/clock.js';
import { waitWord } from '../../shm/wait.js';
import * as L from '../uintr-stress-layout.js';

interface Target {
  readonly fd: number;
  readonly r: number;
  readonly v: number;
}

export default function main(ctx: TaskContext, arg: { sab: SharedArrayBuffer; targets: Target[]; seed: number }): number {
  const w = new Int32Array(arg.sab);
  Atomics.add(w, L.READY, 1);
  Atomics.notify(w, L.READY);
  const end = clockNs() + 120e9;
  while (Atomics.load(w, L.GO) === 0) waitWord(w, L.GO, 0, { deadlineNs: end });
  const idx = arg.targets.map((t) => ctx.uintr_register_sender(t.fd));
  const gens = arg.targets.map((t) => L.rxBase(t.r) + L.RX_GEN + t.v);
  let s = arg.seed >>> 0;
  let n = 0;
  while (Atomics.load(w, L.STOP) === 0 && clockNs() < end) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0; // LCG: seeded, cheap
    const k = s % idx.length;
    Atomics.add(w, gens[k]!, 1); // publish: before the post, so a delivery after it sees this generation
    ctx.senduipi(idx[k]!);
    if ((++n & 255) === 0) ctx.sched_yield();
  }
  return 0;
}
