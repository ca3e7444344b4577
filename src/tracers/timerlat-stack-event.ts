// timerlat's print_stack (trace_osnoise.c: timerlat_save_stack, timerlat_dump_stack) and the
// `<stack trace>` event it writes (ftrace's kernel_stack, TRACE_STACK). The timer IRQ saves what the
// CPU actor was running (RunContext code words: the model's stack, see docs/timerlat.md); a latency
// at or above print_stack writes it to the trace. Saving runs in the CPU actor's timer IRQ, dumping
// in its timerlat thread or IRQ, or in the fd holder's worker (timerlat-stack-shm.ts); printing
// anywhere the format is registered.
import type { RingBuffer } from '../ringbuf/index.js';
import { registerEvent, utf8Text } from '../ringbuf/events.js';
import type { RunContextPort } from './cpu-port.js';
import { STACK_SAVE_WORDS } from './timerlat-layout.js';

/** Event type of kernel_stack (`<stack trace>`) in the trace ring. */
export const KERNEL_STACK_EVENT = 5;

/** The frames the timer IRQ itself adds on top of what it interrupted (innermost first). */
const IRQ_FRAMES = ['timerlat_irq', '__hrtimer_run_queues', 'hrtimer_interrupt'];
/** The outermost frame: the CPU actor's loop (src/kernel/cpu.ts runCpu). */
const LOOP_FRAME = 'cpu_actor_loop';
/** Bytes after the frames of a stack dumped for a task: a NUL, then its u32 pid (LE). */
const PID_TRAILER = 5;

const utf8enc = new TextEncoder();

/** The stack saved at the last timer IRQ of one CPU (timerlat_save_stack's per-CPU trace_stack). */
export class SavedStack {
  readonly #ctx: RunContextPort;
  readonly #words = new Int32Array(STACK_SAVE_WORDS);
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

  /** The last save: (code, arg) pairs, innermost first (valid up to `pairs`). */
  get words(): Int32Array {
    return this.#words;
  }

  /** Pairs in the last save. */
  get pairs(): number {
    return this.#pairs;
  }

  /** The saved stack as frames, innermost first (allocates: only when a stack is dumped). */
  frames(): string[] {
    return this.#saved ? renderFrames(this.#words, 0, this.#pairs, (c) => this.#ctx.template(c)) : [];
  }

  /**
   * timerlat_dump_stack: write the saved stack as a `<stack trace>` event when `print_stack` is set
   * and `latencyUs >= printStackUs`; `pid` is the thread dumping it (0 from the IRQ). Returns the
   * frames written, or null.
   */
  dump(ring: RingBuffer, cpu: number, tsNs: number, latencyUs: number, printStackUs: number, pid = 0): string[] | null {
    if (printStackUs === 0 || printStackUs > latencyUs || !this.#saved) return null;
    const frames = this.frames();
    writeKernelStack(ring, cpu, tsNs, frames, pid);
    return frames;
  }
}

/**
 * Frames of `pairs` saved (code, arg) pairs at `words[at..]`, innermost first, under the IRQ's own
 * frames and over the actor's loop; `template` names a code word (`%u` takes the argument).
 */
export function renderFrames(words: ArrayLike<number>, at: number, pairs: number, template: (code: number) => string): string[] {
  const out = [...IRQ_FRAMES];
  for (let i = 0; i < pairs; i++) {
    const t = template(words[at + 2 * i]!);
    for (const f of t.split('\n')) out.push(f.replace('%u', String(words[at + 2 * i + 1])));
  }
  out.push(LOOP_FRAME);
  return out;
}

/**
 * Write one `<stack trace>` event; false when the ring dropped it (the ring counts it). `pid`: the
 * thread that dumps it (the line head names it), 0 for the IRQ (`<idle>-0`). Why a trailer, and
 * what it costs: frames are text without NUL, so a NUL plus u32 after them marks the pid (5 bytes
 * on a rare event), and payloads without it (IRQ dumps, older trace files) still decode.
 */
export function writeKernelStack(ring: RingBuffer, cpu: number, tsNs: number, frames: readonly string[], pid = 0): boolean {
  const body = utf8enc.encode(frames.join('\n').replaceAll('\0', ''));
  const size = body.byteLength + (pid === 0 ? 0 : PID_TRAILER);
  const r = ring.reserve(cpu, size, KERNEL_STACK_EVENT, tsNs);
  if (r === null) return false;
  r.setBytes(0, body);
  if (pid !== 0) {
    r.setU8(body.byteLength, 0);
    r.setU32(body.byteLength + 1, pid >>> 0);
  }
  ring.commit(r);
  return true;
}

const hasPid = (p: Uint8Array): boolean => p.byteLength >= PID_TRAILER && p[p.byteLength - PID_TRAILER] === 0;

/** The pid a stack payload carries (0: none, dumped from the IRQ). */
export function kernelStackPid(p: Uint8Array): number {
  return hasPid(p) ? new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(p.byteLength - 4, true) : 0;
}

/** Decode a payload: the frames, innermost first. */
export function decodeKernelStack(p: Uint8Array): string[] {
  const text = hasPid(p) ? p.subarray(0, p.byteLength - PID_TRAILER) : p;
  return text.byteLength === 0 ? [] : utf8Text(text).split('\n');
}

/** ftrace's body of a stack event: one ` => frame` line each (after the `<stack trace>` head). */
export function formatKernelStack(frames: readonly string[]): string {
  return frames.map((f) => `\n => ${f}`).join('');
}

/** Teach this thread's trace printers the `<stack trace>` event (idempotent). */
export function registerKernelStackEvent(): void {
  registerEvent({ type: KERNEL_STACK_EVENT, name: 'kernel_stack', label: '<stack trace>', format: (p) => formatKernelStack(decodeKernelStack(p)), pidOf: kernelStackPid }, { builtin: true });
}

registerKernelStackEvent(); // any process that can see the event (CLI, report, lab) can print it
