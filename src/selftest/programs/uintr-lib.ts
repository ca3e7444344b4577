// Helpers shared by the uintr task programs (not a program itself): errno checks and a SAB mailbox.
// Runs in task workers. Each check returns a failure number, so a program's exit code names the check.
import type { TaskContext } from '../../task/ctx.js';
import { waitWord } from '../../shm/wait.js';
import { clockNs } from '../../shm/clock.js';

/** The errno name `fn` threw, or 'ok'. Non-kernel errors propagate. */
export function errOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw e;
  }
}

/** A list of `[what, got, want]` checks; returns the 1-based number of the first mismatch + base, or 0. */
export class Checks {
  readonly failed: string[] = [];
  #n = 0;
  #first = 0;
  constructor(readonly base = 10) {}
  /** Record one check. */
  eq(what: string, got: unknown, want: unknown): void {
    this.#n++;
    if (got !== want) {
      this.failed.push(`${what}: got ${String(got)}, want ${String(want)}`);
      if (this.#first === 0) this.#first = this.base + this.#n;
    }
  }
  /** 0 when every check held, else the first failed check's number. */
  get code(): number {
    return this.#first;
  }
}

/** Bounded wait until `i32[i] >= want` (a mailbox word another thread adds to and notifies). */
export function awaitWord(i32: Int32Array, i: number, want: number, boundMs = 10_000): boolean {
  const end = clockNs() + boundMs * 1e6;
  for (;;) {
    const v = Atomics.load(i32, i); // acquire: the peer's add
    if (v >= want) return true;
    if (waitWord(i32, i, v, { deadlineNs: end }) === 'timed-out') return Atomics.load(i32, i) >= want;
  }
}

/** Add to a mailbox word and wake its waiters. */
export function bump(i32: Int32Array, i: number, by = 1): void {
  Atomics.add(i32, i, by); // publish: plain stores before this are visible to the waiter
  Atomics.notify(i32, i);
}

/** Spin on ctx.uintr_poll() until `done()` or the bound; true when done. */
export function pollUntil(ctx: TaskContext, done: () => boolean, boundMs = 10_000): boolean {
  const end = clockNs() + boundMs * 1e6;
  while (!done()) {
    ctx.uintr_poll();
    if (clockNs() > end) return done();
  }
  return true;
}
