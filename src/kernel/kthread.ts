// Cooperative kernel threads of one CPU (kernel/kthread.c, reduced). A kthread runs to completion
// each time it is woken: it is never preempted, so a long run delays everything else on that CPU,
// which is how non-preemptible sections and noise are modelled. Runs inside one CPU actor only.

/** A kernel thread: `run` is called once per wake-up, after IRQs and IPIs of that loop pass. */
export interface KThread {
  readonly name: string;
  run(nowNs: number): void;
  /** Set by wake(), cleared when it runs. */
  runnable: boolean;
}

/** The run queue of one CPU, FIFO among runnable kthreads. */
export class KThreadQueue {
  readonly #threads: KThread[] = [];
  #runnable = 0;

  /** Create a kthread (not runnable until woken). */
  create(name: string, run: (nowNs: number) => void): KThread {
    const kt: KThread = { name, run, runnable: false };
    this.#threads.push(kt);
    return kt;
  }

  /** Remove a kthread (kthread_stop). */
  stop(kt: KThread): void {
    const i = this.#threads.indexOf(kt);
    if (i < 0) return;
    if (kt.runnable) this.#runnable--;
    kt.runnable = false;
    this.#threads.splice(i, 1);
  }

  /** Make `kt` runnable (wake_up_process). */
  wake(kt: KThread): void {
    if (kt.runnable) return;
    kt.runnable = true;
    this.#runnable++;
  }

  /** True when some kthread waits to run. */
  get hasRunnable(): boolean {
    return this.#runnable > 0;
  }

  /** Run each runnable kthread once, in creation order. Returns how many ran. */
  runAll(clock: () => number): number {
    if (this.#runnable === 0) return 0;
    let ran = 0;
    for (const kt of this.#threads) {
      if (!kt.runnable) continue;
      kt.runnable = false;
      this.#runnable--;
      kt.run(clock());
      ran++;
    }
    return ran;
  }

  /** Names of all kthreads of this CPU. */
  names(): string[] {
    return this.#threads.map((k) => k.name);
  }
}
