// The types a RingBuffer is made and attached with: its structured-clonable handle, the options of
// one attachment (one writer identity, its owned CPU, clock, wake-up mode), and which bank a reader
// means. Types only; any thread. Re-exported by ring.ts.
import type { RingParams } from './layout.js';
import type { SharedWasmMemory } from '../shm/wasm.js';

/** Structured-clonable descriptor of a ring: post it to a worker and `RingBuffer.attach` it there. */
export interface RingHandle {
  readonly kind: 'tracelab.ringbuf';
  readonly version: number;
  readonly params: RingParams;
  /**
   * The ring's shared memory (a `WebAssembly.Memory` with `shared: true`; its `buffer` is a
   * SharedArrayBuffer): the control region at byte 0, the pages from `dataOffset`.
   */
  readonly memory: SharedWasmMemory;
  /** Byte offset of the first page in `memory` (`dataOffset(params)`). */
  readonly dataOffset: number;
}

/** Per-attachment options. */
export interface RingAttachOptions {
  /** Id written into busy records, named later in `repairDeadWriter`. @default worker_threads.threadId */
  readonly writerId?: number;
  /** The CPU this thread is the actor of: its commits there use the local counter. @default none */
  readonly ownerCpu?: number;
  /** Clock for reserves without a timestamp, ns, shared by all threads. @default clockNs (src/shm/clock.ts) */
  readonly clock?: () => number;
  /**
   * Defer reader wake-ups to `flushWakeups()` instead of waking from inside commit (ftrace's
   * irq_work): for a writer whose commits sit on a latency-critical path. @default false
   */
  readonly deferWakeups?: boolean;
}

/** Which of a CPU's buffers a reader means: the one writers fill, or the spare (after swapCpu). */
export type RingWhich = 'live' | 'spare';
