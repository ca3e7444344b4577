// Stress program: a receiver of `tracelab stress uintr`. Creates fds for arg.vectors, publishes them,
// then until STOP = 2 cycles through polling, uintr_wait (bounded) and clui/stui masking, recording
// per-vector deliveries and the senders' generation seen at each delivery, handler nesting, deliveries
// while masked and waits that slept to their bound mid-storm. Words: src/selftest/uintr-stress-layout.ts.
import type { TaskContext } from '../../task/ctx.js';
import { clockNs } from '../../shm/clock.js';
import { waitWord } from '../../shm/wait.js';
import * as L from '../uintr-stress-layout.js';

export default function main(ctx: TaskContext, arg: { sab: SharedArrayBuffer; r: number; vectors: number[]; waitBoundUs: number }): number {
  const w = new Int32Array(arg.sab);
  const b = L.rxBase(arg.r);
  let depth = 0;
  let masked = false;
  ctx.uintr_register_handler((v) => {
    depth++;
    if (depth > Atomics.load(w, b + L.RX_MAX_DEPTH)) Atomics.store(w, b + L.RX_MAX_DEPTH, depth); // single writer (this task)
    if (masked) Atomics.add(w, b + L.RX_MASKED_DELIVERIES, 1);
    Atomics.add(w, b + L.RX_DELIVERED + v, 1); // single writer; add so the runner reads it whole
    Atomics.store(w, b + L.RX_SEEN + v, Atomics.load(w, b + L.RX_GEN + v)); // acquire gen after taking the PIR bit
    ctx.getpid(); // a syscall entry inside the handler: must not nest (UIF clear)
    depth--;
  });
  for (const v of arg.vectors) Atomics.store(w, b + L.RX_FD + v, ctx.uintr_create_fd(v)); // publish with READY below
  ctx.stui();
  Atomics.add(w, L.READY, 1); // publish: fd numbers above
  Atomics.notify(w, L.READY);
  const end = clockNs() + 120e9;
  while (Atomics.load(w, L.GO) === 0) waitWord(w, L.GO, 0, { deadlineNs: end });
  for (let round = 0; Atomics.load(w, L.STOP) < 2 && clockNs() < end; round++) {
    switch (round % 3) {
      case 0: {
        const until = clockNs() + 1e6;
        while (clockNs() < until) ctx.uintr_poll();
        break;
      }
      case 1: {
        const stormBefore = Atomics.load(w, L.STORMING) === 1;
        const r = ctx.uintr_wait(arg.waitBoundUs);
        if (r === 'EINTR') Atomics.add(w, b + L.RX_WAITS_WOKEN, 1);
        else if (stormBefore && Atomics.load(w, L.STORMING) === 1) Atomics.add(w, b + L.RX_LOST_WAKEUPS, 1);
        break;
      }
      default: {
        ctx.clui();
        masked = true;
        for (let k = 0; k < 50; k++) ctx.getpid(); // syscall entries while masked: nothing may be delivered
        ctx.uintr_poll();
        masked = false;
        ctx.stui(); // takes what piled up
        Atomics.add(w, b + L.RX_MASK_ROUNDS, 1);
      }
    }
  }
  ctx.stui();
  ctx.uintr_poll(); // drain: every sender has exited, so PIR holds all that is left
  return 0;
}
