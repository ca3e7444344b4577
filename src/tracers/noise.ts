// osnoise-style interference sources on one CPU (trace_osnoise.c's noise classes: irq, softirq,
// thread). Each is busy for D µs every P µs, fixed or random from a seed. Runs inside the CPU actor:
// - irq: an hrtimer whose handler spins with IRQs off, so it delays the timer IRQ itself;
// - softirq: raised by an hrtimer, run before every kernel thread, with IRQ windows while it spins;
// - thread: a kernel thread that spins without yielding, with IRQ windows (timer IRQs still run,
//   but the timerlat thread waits until it is done).
import { mulberry32 } from '../shm/prng.js';
import { clockNs } from '../shm/clock.js';
import type { CpuPort, KthreadHandle, TimerHandle } from './cpu-port.js';

/** One noise source. */
export interface NoiseSpec {
  readonly kind: 'irq' | 'softirq' | 'thread';
  /** Busy time per occurrence, µs (random: uniform in [0, 2·durationUs]). */
  readonly durationUs: number;
  /** Time between occurrences, µs (random: uniform in [0, 2·periodUs]). */
  readonly periodUs: number;
  /** Random durations and gaps from `seed`. @default false */
  readonly random?: boolean;
  /** @default 1 */
  readonly seed?: number;
  /** Shown by auto-analysis. @default `${kind}-noise` */
  readonly name?: string;
}

/** How much noise a source produced (for auto-analysis). */
export interface NoiseCounters {
  count: number;
  busyNs: number;
  lastStartNs: number;
  lastEndNs: number;
}


/** A running noise source on one CPU. */
export class NoiseSource {
  readonly spec: NoiseSpec;
  readonly counters: NoiseCounters = { count: 0, busyNs: 0, lastStartNs: 0, lastEndNs: 0 };
  readonly #port: CpuPort;
  readonly #timer: TimerHandle;
  readonly #kthread: KthreadHandle | undefined;
  readonly #rng: () => number;
  #next = 0;
  #stopped = false;
  readonly #name: string;
  readonly #frame: number; // RunContext code word of this source's stack frame

  constructor(port: CpuPort, spec: NoiseSpec) {
    this.spec = spec;
    this.#port = port;
    this.#name = spec.name ?? `${spec.kind}-noise`;
    this.#rng = mulberry32(spec.seed ?? 1);
    this.#frame = port.context.intern(`noise_${spec.kind} [${this.#name} %u us]`);
    if (spec.kind === 'irq') {
      this.#timer = port.timer((now) => {
        this.#spin(now, false);
        this.#rearm();
      });
    } else {
      const kt = port.kthread(`${spec.kind === 'softirq' ? 'ksoftirqd' : 'noise'}/${port.id}`, (now) => {
        this.#spin(now, true);
        this.#rearm();
      });
      this.#kthread = kt;
      this.#timer = port.timer(() => port.wake(kt));
    }
    this.#next = clockNs();
    this.#rearm();
  }

  /** Stop the source. */
  stop(): void {
    this.#stopped = true;
    this.#port.cancel(this.#timer);
    if (this.#kthread !== undefined) this.#port.stopKthread(this.#kthread);
  }

  #draw(us: number): number {
    return (this.spec.random === true ? this.#rng() * 2 * us : us) * 1e3;
  }

  #rearm(): void {
    if (this.#stopped) return;
    this.#next = Math.max(this.#next + this.#draw(this.spec.periodUs), clockNs());
    this.#port.arm(this.#timer, this.#next);
  }

  // Busy-wait; with IRQ windows every ~2 µs when interrupts are allowed.
  #spin(start: number, irqWindows: boolean): void {
    const busyNs = this.#draw(this.spec.durationUs);
    const end = start + busyNs;
    const ctx = this.#port.context;
    const on = ctx.on; // read once: enter and leave stay paired if an IRQ window flips it
    if (on) ctx.enter(this.#frame, Math.round(busyNs / 1e3));
    let now = start;
    while (now < end) {
      if (irqWindows) this.#port.pollIrqs();
      now = clockNs();
    }
    if (on) ctx.leave();
    this.#port.activity.add(this.#name, this.spec.kind, start, now);
    const c = this.counters;
    c.count++;
    c.busyNs += now - start;
    c.lastStartNs = start;
    c.lastEndNs = now;
  }
}
