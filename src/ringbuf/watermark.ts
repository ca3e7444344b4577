// Reader wake-ups by watermark (ftrace buffer_percent / ring_buffer_wait): the reader announces
// itself in WAITERS and sleeps on the CPU's WAKE word through src/shm/wait.ts; writers kick WAKE
// only when WAITERS is non-zero and the watermark is met (writer.ts #wake).
// Ordering (Dekker over seq-cst Atomics): the reader adds WAITERS, then checks for data; a writer
// publishes data, then loads WAITERS. One of them sees the other, so no wake-up is lost.
import { type WaitOptions, type WaitResult, waitWord, waitWordAsync } from '../shm/wait.js';
import { type RingCore, cpuIdx } from './core.js';
import { C_WAITERS, C_WAKE, C_WATERMARK } from './layout.js';

/** Options of `waitForData`. */
export interface WaitForDataOptions extends WaitOptions {
  /** Wake only once this many whole pages are unread; 0 wakes on any committed event. @default 0 */
  readonly watermarkPages?: number;
}

/** Block (workers only) until `ready()` holds, the deadline passes or `cancel` is set. */
export function waitReady(c: RingCore, cpu: number, opts: WaitForDataOptions, ready: () => boolean): WaitResult {
  const ci = cpuIdx(c, cpu);
  Atomics.store(c.ctl, ci + C_WATERMARK, opts.watermarkPages ?? 0); // single writer: the reader
  for (;;) {
    const seq = Atomics.load(c.ctl, ci + C_WAKE); // acquire: sample before announcing
    Atomics.add(c.ctl, ci + C_WAITERS, 1); // RMW only: announce, then check (Dekker)
    if (ready()) {
      Atomics.sub(c.ctl, ci + C_WAITERS, 1); // RMW only
      return 'ok';
    }
    const r = waitWord(c.ctl, ci + C_WAKE, seq, opts);
    Atomics.sub(c.ctl, ci + C_WAITERS, 1); // RMW only
    if (r !== 'ok') return r;
  }
}

/** The main-thread form: resolves instead of blocking the event loop. */
export async function waitReadyAsync(c: RingCore, cpu: number, opts: WaitForDataOptions, ready: () => boolean): Promise<WaitResult> {
  const ci = cpuIdx(c, cpu);
  Atomics.store(c.ctl, ci + C_WATERMARK, opts.watermarkPages ?? 0); // single writer: the reader
  for (;;) {
    const seq = Atomics.load(c.ctl, ci + C_WAKE); // acquire
    Atomics.add(c.ctl, ci + C_WAITERS, 1); // RMW only: announce, then check (Dekker)
    if (ready()) {
      Atomics.sub(c.ctl, ci + C_WAITERS, 1); // RMW only
      return 'ok';
    }
    const r = await waitWordAsync(c.ctl, ci + C_WAKE, seq, opts);
    Atomics.sub(c.ctl, ci + C_WAITERS, 1); // RMW only
    if (r !== 'ok') return r;
  }
}
