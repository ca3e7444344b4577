// The perf table's mutex (the kernel's ctx->mutex and child_mutex folded into one): a spinlock
// word in the perf region holding its owner's id (a tid, or CONTROL_PLANE). Any thread.
//
// Why a spinlock and what it costs: every critical section is a few dozen loads and stores with no
// call into user code and no wait inside, so a waiter spins for microseconds at most; a sleeping
// lock would cost a futex round trip on every ioctl. A task SIGKILLed while holding it would wedge
// every other thread, so a waiter that keeps finding the same dead owner steals the word (CAS from
// that owner) and runs `repair` to close the seqcounts the dead owner left open.

/** Owner id of the control plane (tids are positive). */
export const CONTROL_PLANE = -1;
/** Spins between liveness checks of the owner. */
const SPINS_PER_CHECK = 4096;

/** A spinlock on `i32[index]`. */
export class PerfLock {
  readonly #i32: Int32Array;
  readonly #index: number;
  readonly #isAlive: (owner: number) => boolean;
  readonly #repair: () => void;

  constructor(i32: Int32Array, index: number, isAlive: (owner: number) => boolean, repair: () => void) {
    this.#i32 = i32;
    this.#index = index;
    this.#isAlive = isAlive;
    this.#repair = repair;
  }

  /** Take the lock as `me`. */
  acquire(me: number): void {
    let spins = 0;
    for (;;) {
      const cur = Atomics.compareExchange(this.#i32, this.#index, 0, me); // RMW only
      if (cur === 0) return;
      if (cur === me) throw new Error(`perf lock: ${me} already holds it`);
      if (++spins % SPINS_PER_CHECK === 0 && cur !== CONTROL_PLANE && !this.#isAlive(cur)) {
        if (Atomics.compareExchange(this.#i32, this.#index, cur, me) === cur) {
          this.#repair();
          return;
        }
      }
    }
  }

  /** Drop the lock. */
  release(): void {
    Atomics.store(this.#i32, this.#index, 0); // publish: every store of the critical section
  }
}
