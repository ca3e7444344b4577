// timerlat's print_stack (trace_osnoise.c: timerlat_save_stack, timerlat_dump_stack) and the
// `<stack trace>` event it writes (ftrace's kernel_stack, TRACE_STACK). The timer IRQ saves what the
// CPU actor was running (RunContext code words: the model's stack, see docs/timerlat.md); a latency
// at or above print_stack writes it to the trace. Saving runs in the CPU actor's timer IRQ, dumping
// in its timerlat thread or IRQ; printing anywhere the format is registered.
import type { RingBuffer } from '../ringbuf/index.js';
import { registerEvent, utf8Text } from '../ringbuf/events.js';
import type { RunContextPort } from './cpu-port.js';

/** Event type of kernel_stack (`<stack trace>`) in the trace ring. */
export const KERNEL_STACK_EVENT = 5;

/** The frames the timer IRQ itself adds on top of what it interrupted (innermost first). */
const IRQ_FRAMES = ['timerlat_irq', '__hrtimer_run_queues', 'hrtimer_interrupt'];
/** The outermost frame: the CPU actor's loop (src/kernel/cpu.ts runCpu). */
const LOOP_FRAME = 'cpu_actor_loop';
/** (code, arg) pairs kept per save: 8 nested sections plus what ran last. */
const SAVE_WORDS = 18;

const utf8enc = new TextEncoder();

/** The stack saved at the last timer IRQ of one CPU (timerlat_save_stack's per-CPU trace_stack). */
export class SavedStack {
  readonly #ctx: RunContextPort;
  readonly #words = new Int32Array(SAVE_WORDS);
  #pairs = 0;
  #saved = false;

  constructor(ctx: RunContextPort) {
    this.#ctx = ctx;
  }

  /** timerlat_save_stack: copy what runs now (no allocation). */
  save(): void {
    this.#pairs = this.#ctx.save(this.#words);
    this.#saved = true;
  }

  /** Forget the saved stack (workload restart). */
  clear(): void {
    this.#saved = false;
  }

  /** The saved stack as frames, innermost first (allocates: only when a stack is dumped). */
  frames(): string[] {
    if (!this.#saved) return [];
    const out = [...IRQ_FRAMES];
    for (let i = 0; i < this.#pairs; i++) {
      const t = this.#ctx.template(this.#words[2 * i]!);
      for (const f of t.split('\n')) out.push(f.replace('%u', String(this.#words[2 * i + 1])));
    }
    out.push(LOOP_FRAME);
    return out;
  }

  /**
   * timerlat_dump_stack: write the saved stack as a `<stack trace>` event when `print_stack` is set
   * and `latencyUs >= printStackUs`. Returns the frames written, or null.
   */
  dump(ring: RingBuffer, cpu: number, tsNs: number, latencyUs: number, printStackUs: number): string[] | null {
    if (printStackUs === 0 || printStackUs > latencyUs || !this.#saved) return null;
    const frames = this.frames();
    writeKernelStack(ring, cpu, tsNs, frames);
    return frames;
  }
}

/** Write one `<stack trace>` event; false when the ring dropped it (the ring counts it). */
export function writeKernelStack(ring: RingBuffer, cpu: number, tsNs: number, frames: readonly string[]): boolean {
  const body = utf8enc.encode(frames.join('\n'));
  const r = ring.reserve(cpu, body.byteLength, KERNEL_STACK_EVENT, tsNs);
  if (r === null) return false;
  r.setBytes(0, body);
  ring.commit(r);
  return true;
}

/** Decode a payload: the frames, innermost first. */
export function decodeKernelStack(p: Uint8Array): string[] {
  return p.byteLength === 0 ? [] : utf8Text(p).split('\n');
}

/** ftrace's body of a stack event: one ` => frame` line each (after the `<stack trace>` head). */
export function formatKernelStack(frames: readonly string[]): string {
  return frames.map((f) => `\n => ${f}`).join('');
}

/** Teach this thread's trace printers the `<stack trace>` event (idempotent). */
export function registerKernelStackEvent(): void {
  registerEvent({ type: KERNEL_STACK_EVENT, name: 'kernel_stack', label: '<stack trace>', format: (p) => formatKernelStack(decodeKernelStack(p)) }, { builtin: true });
}

registerKernelStackEvent(); // any process that can see the event (CLI, report, lab) can print it
