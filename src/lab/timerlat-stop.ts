// The control plane's watcher of timerlat's shared stop record (osnoise_stop_tracing's report side):
// a threshold crossed by any thread (a CPU actor or a user-mode task) claims TLG.STOP_HIT and fills
// the record; this waits on that word without polling and hands the record to the tracer. Control
// plane (main thread) only.
import { waitWordAsync } from '../shm/wait.js';
import type { CtxId } from '../tracers/latency-stats.js';
import { TLG, type TimerlatShm } from '../tracers/timerlat-layout.js';

/** Context id of a stop record that reports an exception (reported by its own notice, not here). */
const CTX_EXCEPTION = 3;

/** One watcher per lab; start() after every (re)arm of the stop word, end() on stop and dispose. */
export class StopWatcher {
  #gen = 0;
  #live = -1; // the generation whose watch waits for a stop, -1 when none does

  constructor(
    readonly shm: TimerlatShm,
    readonly onHit: (cpu: number, ctx: CtxId, latencyNs: number) => Promise<void>,
  ) {}

  /** Retire any current watch and start a new one. */
  start(): void {
    this.end();
    this.#live = this.#gen;
    void this.#watch(this.#gen);
  }

  /**
   * A threshold stop is claimed and the current watch has not taken it yet (it will report it).
   * Re-arming the stop word now would erase it and leave the claimer's tracing_off without a report:
   * the enableBuffer of a start runs after the CPUs got the start, so a fast first hit can land first.
   */
  get claimedUnreported(): boolean {
    if (this.#live !== this.#gen) return false;
    const s = this.shm;
    const hit = Atomics.load(s.i32, s.g + TLG.STOP_HIT); // acquire: 2 once the record is filled
    if (hit === 0) return false;
    return hit === 1 || s.i32[s.g + TLG.STOP_CTX] !== CTX_EXCEPTION; // exceptions are reported by their own notice
  }

  /**
   * Retire the current watch: bump its generation and wake its pending waitAsync, so no waiter is
   * left parked on the stop word after a stop, a restart or dispose.
   */
  end(): void {
    this.#gen++;
    Atomics.notify(this.shm.i32, this.shm.g + TLG.STOP_HIT);
  }

  async #watch(gen: number): Promise<void> {
    const s = this.shm;
    while (gen === this.#gen) {
      const r = await waitWordAsync(s.i32, s.g + TLG.STOP_HIT, 0, { deadlineNs: undefined });
      if (gen !== this.#gen || r !== 'ok') return;
      const hit = Atomics.load(s.i32, s.g + TLG.STOP_HIT); // acquire: 2 once the record is filled
      if (hit === 0) continue;
      if (hit === 1) {
        await new Promise((res) => setImmediate(res)); // the owner is still filling the record
        continue;
      }
      const ctx = s.i32[s.g + TLG.STOP_CTX]!; // published by the STOP_HIT store
      this.#live = -1; // this record is taken: a re-arm from now on loses nothing
      if (ctx === CTX_EXCEPTION) return; // exceptions are reported by their own notice
      await this.onHit(s.i32[s.g + TLG.STOP_CPU]!, ctx as CtxId, s.f64[(s.g >> 1) + TLG.F64_STOP_LAT_NS]!);
      return;
    }
  }
}
