// Test program: a uintr sender. Registers as a sender to each fd of arg.fds (fd numbers in its own fd
// table: a thread shares its creator's, a forked child has copies) once mbox word 0 ≥ 1 (with
// awaitGo), then sends `sends` rounds over all of them after an optional delay. Exit 0.
import type { TaskContext } from '../../task/ctx.js';
import { clockNs } from '../../shm/clock.js';
import { awaitWord, bump } from './uintr-lib.js';

export interface SendArg {
  readonly fds: readonly number[];
  readonly sends: number;
  /** Mailbox: [0] = go (waited for when awaitGo), [1] = sent count, [5] = 1 once running, bytes 32..39 Float64 send time of the last post. */
  readonly mbox?: SharedArrayBuffer;
  readonly awaitGo?: boolean;
  /** Sleep this long after "go" before sending. */
  readonly delayMs?: number;
  /** Then stay alive until mbox[4] ≥ 1. */
  readonly linger?: boolean;
}

export default function main(ctx: TaskContext, arg: SendArg): number {
  const i32 = arg.mbox === undefined ? undefined : new Int32Array(arg.mbox, 0, 8);
  const f64 = arg.mbox === undefined ? undefined : new Float64Array(arg.mbox, 32, 1);
  if (i32 !== undefined) bump(i32, 5); // running: a creator timing a window around our post can start it now
  if (i32 !== undefined && arg.awaitGo === true && !awaitWord(i32, 0, 1, 30_000)) return 2;
  const idx = arg.fds.map((fd) => ctx.uintr_register_sender(fd));
  if (arg.delayMs !== undefined) ctx.nanosleep(arg.delayMs * 1e6);
  for (let n = 0; n < arg.sends; n++) for (const i of idx) ctx.senduipi(i);
  if (f64 !== undefined) f64[0] = clockNs();
  if (i32 !== undefined) {
    Atomics.add(i32, 1, arg.sends); // publish: the send time above
    Atomics.notify(i32, 1);
    if (arg.linger === true && !awaitWord(i32, 4, 1, 30_000)) return 3;
  }
  return 0;
}
