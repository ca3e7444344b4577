// The control plane's tracing state: the per-CPU trace RingBuffer (live + spare bank for swapCpu),
// tracing_on, and the tracefs files that read the buffer. Control plane only; CPU actors and tasks
// attach the same ring through its handle and write to it directly.
import { RingBuffer, type RingHandle } from '../ringbuf/index.js';
import type { KernelShm } from '../kernel/layout.js';
import type { Tracefs } from '../tracefs/tree.js';

/** Default per-CPU buffer size, in KiB (rounded to a power-of-two number of pages by the ring). */
export const DEFAULT_BUFFER_KB = 1024;

/** Options of the lab's trace buffer. */
export interface TracingOptions {
  /** Per-CPU buffer size in KiB. @default 1024 */
  readonly bufferSizeKb?: number;
  /** Full-buffer behaviour. @default 'overwrite' (ftrace's default flight recorder) */
  readonly mode?: 'overwrite' | 'discard';
}

/** Tracing state of one lab. */
export class Tracing {
  readonly #k: KernelShm;
  #ring: RingBuffer;

  constructor(_fs: Tracefs, k: KernelShm, opts: TracingOptions = {}) {
    this.#k = k;
    this.#ring = RingBuffer.create({ cpus: k.cpus, bufferSizeKb: opts.bufferSizeKb ?? DEFAULT_BUFFER_KB, mode: opts.mode ?? 'overwrite', spare: true });
    Atomics.store(k.i32, k.tracingOnIndex, 1); // single writer (control plane)
  }

  /** The live ring (the control plane's own attachment). */
  get ring(): RingBuffer {
    return this.#ring;
  }

  /** What CPU actors and tasks attach. */
  get handle(): RingHandle {
    return this.#ring.handle;
  }

  /** tracing_on. */
  isOn(): boolean {
    return Atomics.load(this.#k.i32, this.#k.tracingOnIndex) === 1;
  }

  /** Turn recording on or off (writers check the word before each event). */
  setOn(on: boolean): void {
    Atomics.store(this.#k.i32, this.#k.tracingOnIndex, on ? 1 : 0); // single writer (control plane)
  }
}
