// Cooperative kernel threads of one CPU (kernel/kthread.c, reduced). A kthread runs to completion
// each time it is woken: it is never preempted, so a long run delays everything else on that CPU,
// which is how non-preemptible sections and noise are modelled. Runs inside one CPU actor only.
// RunContext (below) records which section runs, for timerlat's print_stack.

/** A kernel thread: `run` is called once per wake-up, after IRQs and IPIs of that loop pass. */
export interface KThread {
  readonly name: string;
  /** Its frame in a saved stack (RunContext code word of `kthread [name]`). */
  readonly code: number;
  run(nowNs: number): void;
  /** Set by wake(), cleared when it runs. */
  runnable: boolean;
}

/** The run queue of one CPU, FIFO among runnable kthreads. */
export class KThreadQueue {
  readonly #threads: KThread[] = [];
  #runnable = 0;

  constructor(readonly context: RunContext = new RunContext()) {}

  /** Create a kthread (not runnable until woken). */
  create(name: string, run: (nowNs: number) => void): KThread {
    const kt: KThread = { name, code: this.context.intern(`kthread [${name}]`), run, runnable: false };
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
    const ctx = this.context;
    for (const kt of this.#threads) {
      if (!kt.runnable) continue;
      kt.runnable = false;
      this.#runnable--;
      const on = ctx.on; // read once: enter and leave stay paired if the IRQ flips it meanwhile
      if (on) ctx.enter(kt.code, 0);
      kt.run(clock());
      if (on) ctx.leave();
      ran++;
    }
    return ran;
  }

  /** Names of all kthreads of this CPU. */
  names(): string[] {
    return this.#threads.map((k) => k.name);
  }
}

/*
 * What the CPU actor is running, for timerlat's print_stack (trace_osnoise.c: timerlat_save_stack).
 * A JavaScript worker has no kernel stack to walk, so the "stack at the IRQ" is rebuilt from the
 * actor's real state: each section the loop runs (a kthread, an IPI pass, a syscall, a noise
 * section, a lab.busy section) pushes one code word (an index into a table of frame templates,
 * interned when the section's owner is created) and an argument (µs, a pid, IPI bits). Why, and
 * what it costs: with `on` false (print_stack 0) every site pays one property load and a branch;
 * with it on, two Int32Array stores per section edge, never a clock read or an allocation.
 * CPU actor only (one thread), so plain fields, no Atomics.
 */
/** Frame templates the kernel side interns first (index = code word); `%u` takes the argument. */
export const FRAME = { NONE: 0, IDLE: 1, IPI: 2, SYSCALLS: 3 } as const;
const KERNEL_FRAMES = ['', 'default_idle_call [Atomics.wait]\ndo_idle', 'handle_ipi [pending %u]', 'do_syscall_64'];
/** Nesting depth kept (deeper sections still count, their frames are dropped). */
const MAX_DEPTH = 8;

/** The per-CPU record of what runs; see the comment above. */
export class RunContext {
  /** Record section edges (set from print_stack by the timerlat tracer). */
  on = false;
  readonly #labels: string[] = [...KERNEL_FRAMES];
  readonly #codes = new Int32Array(MAX_DEPTH);
  readonly #args = new Int32Array(MAX_DEPTH);
  #depth = 0;
  // What ran last at the current depth, with the sections it ran inside that completed with it:
  // frames #codes-like in #doneCodes[#depth..#doneInner] (a lab.busy spin inside kthread busy/0).
  readonly #doneCodes = new Int32Array(MAX_DEPTH);
  readonly #doneArgs = new Int32Array(MAX_DEPTH);
  #doneInner = -1; // -1: nothing ran at this depth since it was entered

  /** The code word of a frame template (at creation time, not on a hot path). */
  intern(template: string): number {
    const i = this.#labels.indexOf(template);
    return i >= 0 ? i : this.#labels.push(template) - 1;
  }

  /** The template of a code word. */
  template(code: number): string {
    return this.#labels[code] ?? '?';
  }

  /** A section starts (nested inside the current one, if any). */
  enter(code: number, arg: number): void {
    const d = this.#depth++;
    if (d < MAX_DEPTH) {
      this.#codes[d] = code;
      this.#args[d] = arg;
    }
    this.#doneInner = -1;
  }

  /** The innermost section ends; it (and what completed inside it) is what ran last one level down. */
  leave(): void {
    if (this.#depth === 0) return;
    const d = --this.#depth;
    if (d >= MAX_DEPTH) return;
    if (this.#doneInner <= d) this.#doneInner = d; // a new chain (was -1 or shallower), else extend
    this.#doneCodes[d] = this.#codes[d]!;
    this.#doneArgs[d] = this.#args[d]!;
  }

  /** The loop woke from Atomics.wait: until something else runs, an IRQ interrupts idle. */
  woke(): void {
    if (this.#depth !== 0) return;
    this.#doneCodes[0] = FRAME.IDLE;
    this.#doneArgs[0] = 0;
    this.#doneInner = 0;
  }

  /** An IRQ window opens inside a long section: what ran before it did not delay this IRQ. */
  window(): void {
    this.#doneInner = -1;
  }

  /**
   * Copy the state into `out` as (code, arg) pairs, innermost first: what ran last at the current
   * depth (with what completed inside it), then the sections in progress. Returns the number of
   * pairs. No allocation.
   */
  save(out: Int32Array): number {
    let n = 0;
    const depth = Math.min(this.#depth, MAX_DEPTH);
    for (let d = this.#doneInner; d >= depth && 2 * n + 1 < out.length; d--, n++) {
      out[2 * n] = this.#doneCodes[d]!;
      out[2 * n + 1] = this.#doneArgs[d]!;
    }
    for (let d = depth - 1; d >= 0 && 2 * n + 1 < out.length; d--, n++) {
      out[2 * n] = this.#codes[d]!;
      out[2 * n + 1] = this.#args[d]!;
    }
    return n;
  }
}
