// hrtimers of one CPU (kernel/time/hrtimer.c, reduced): absolute deadlines on the shared clock,
// kept in a binary min-heap and expired in deadline order, never early.
// Runs inside one CPU actor only; not shared, so no Atomics.

/** Callback of an expired timer. `nowNs` is the clock when the timer ran. */
export type TimerFn = (nowNs: number, timer: HrTimer) => void;

/** One armed timer. Re-arm by calling `arm()` again with the same object. */
export interface HrTimer {
  deadlineNs: number;
  fn: TimerFn;
  /** Heap position; -1 when not armed. */
  slot: number;
  /** Tie-breaker so equal deadlines expire in arming order. */
  order: number;
}

/** A CPU's timer queue. */
export class TimerQueue {
  readonly #heap: HrTimer[] = objectArray<HrTimer>(TimerQueue.timer(() => undefined));
  #order = 0;

  /** A new, unarmed timer. */
  static timer(fn: TimerFn): HrTimer {
    return { deadlineNs: Infinity, fn, slot: -1, order: 0 };
  }

  /** Number of armed timers. */
  get size(): number {
    return this.#heap.length;
  }

  /** Earliest deadline, or +Infinity. */
  nextDeadlineNs(): number {
    return this.#heap.length === 0 ? Infinity : this.#heap[0]!.deadlineNs;
  }

  /** Arm (or move) `t` to `deadlineNs`. */
  arm(t: HrTimer, deadlineNs: number): void {
    if (t.slot >= 0) this.cancel(t);
    t.deadlineNs = deadlineNs;
    t.order = this.#order++;
    t.slot = this.#heap.length;
    this.#heap.push(t);
    this.#up(t.slot);
  }

  /** Disarm `t`; no-op when it is not armed. */
  cancel(t: HrTimer): void {
    const i = t.slot;
    if (i < 0) return;
    const last = this.#heap.pop()!;
    t.slot = -1;
    if (last !== t) {
      this.#heap[i] = last;
      last.slot = i;
      this.#down(i);
      this.#up(last.slot);
    }
  }

  /**
   * Run every due timer, in deadline order, each stamped with the clock when it runs. Returns how
   * many ran. `nowNs` ≥ 0 is a stamp the caller just read: the first check uses it instead of
   * reading `clock` again (the CPU loop passes its wake-up stamp). After a timer ran, and when
   * `nowNs` is negative (the default), the clock is read when a timer is armed.
   */
  expire(clock: () => number, nowNs = -1): number {
    let ran = 0;
    let now = nowNs; // a number either way: -1 means "read the clock"
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined) return ran;
      if (now < 0) now = clock();
      if (top.deadlineNs > now) return ran; // never early
      this.cancel(top);
      top.fn(now, top);
      now = -1; // the callback took time
      ran++;
    }
  }

  #less(a: HrTimer, b: HrTimer): boolean {
    return a.deadlineNs < b.deadlineNs || (a.deadlineNs === b.deadlineNs && a.order < b.order);
  }

  #swap(i: number, j: number): void {
    const h = this.#heap;
    const a = h[i]!;
    const b = h[j]!;
    h[i] = b;
    h[j] = a;
    a.slot = j;
    b.slot = i;
  }

  #up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(this.#heap[i]!, this.#heap[p]!)) return;
      this.#swap(i, p);
      i = p;
    }
  }

  #down(i: number): void {
    const n = this.#heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(this.#heap[l]!, this.#heap[m]!)) m = l;
      if (r < n && this.#less(this.#heap[r]!, this.#heap[m]!)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}

/*
 * Why the heap starts as an array that once held a timer, and what it costs: V8 gives an empty
 * array literal "small integer" elements and moves it to "object" elements (a new map) at its first
 * push. A CPU whose queue had never held a timer took that transition at timerlat's first arm, and
 * the arm, expire and nextDeadlineNs code optimised during the rehearsal (actors/cpu.ts) on a queue
 * that already had object elements deoptimised there ("wrong map"), on the first activation. Every
 * queue now starts with object elements. Cost: one push and pop per queue, at creation.
 */
function objectArray<T>(sample: T): T[] {
  const a: T[] = [];
  a.push(sample);
  a.pop();
  return a;
}
