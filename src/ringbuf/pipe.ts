// trace_pipe and per_cpu/cpuN/trace_pipe_raw as Node Readables (kernel/trace/trace.c:
// tracing_read_pipe, tracing_buffers_read). Runs in the ring's one reader thread (the control
// plane for the lab). Consuming: what a pipe hands out is gone from the ring. Blocking is a
// watermark wait (ring.waitForDataAsync), never polling; close()/destroy() sets the wait's cancel
// word and kicks every CPU's WAKE word, so a pending read ends at once.
import { Readable } from 'node:stream';
import { clockNs } from '../shm/clock.js';
import type { WaitResult } from '../shm/wait.js';
import { type LineOptions, formatEventLine } from './events.js';
import { formatLost } from './event-view.js';
import type { RingBuffer } from './ring.js';

/** A ring, or a getter for the current one (the lab replaces its ring on resize). */
export type RingSource = RingBuffer | (() => RingBuffer);

/** Options of {@link TracePipeReader} and {@link tracePipeReadable}. */
export interface TracePipeOptions extends LineOptions {
  /** Wake a blocked reader only once this many whole pages are unread on a CPU (buffer_percent). @default 0: any event */
  readonly watermarkPages?: number;
  /** The stream ends (EOF) at this clockNs() time. @default never */
  readonly deadlineNs?: number;
  /**
   * tracing_on, for trace.c's tracing_wait_pipe: once this reader has handed out something, an empty
   * read with tracing off returns '' (EOF) instead of blocking. @default none: always block
   */
  readonly tracingOn?: () => boolean;
}

function ringOf(src: RingSource): RingBuffer {
  return typeof src === 'function' ? src() : src;
}

/** The consuming text reader behind trace_pipe: merged lines, in-band losses, cancellable waits. */
export class TracePipeReader {
  readonly #src: RingSource;
  readonly #opts: TracePipeOptions;
  #carry = '';
  #closed = false;
  /** Whether a read returned something yet (tracing_wait_pipe's iter->pos). */
  #pos = false;
  // Every pending wait: several reads may block on one open file at once (threads sharing the fd,
  // two read() calls on one handle), and close()/interrupt() must end each of them.
  readonly #waits = new Set<{ readonly word: Int32Array; readonly ring: RingBuffer }>();

  constructor(src: RingSource, opts: TracePipeOptions = {}) {
    this.#src = src;
    this.#opts = opts;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Consume whole lines worth up to `maxBytes` UTF-16 units (at least one line); '' when none is ready. */
  take(maxBytes: number): string {
    let out = this.#carry;
    this.#carry = '';
    const ring = ringOf(this.#src);
    while (out.length < maxBytes) {
      const v = ring.readView();
      if (v === null) break;
      const line = v.kind === 'lost'
        ? `${formatLost(v.cpu, v.lostCount)}\n`
        : `${formatEventLine(v.cpu, v.tsNs, v.type, v.payload.subarray(0, v.payloadLength), this.#opts)}\n`;
      if (out !== '' && out.length + line.length > maxBytes) {
        this.#carry = line; // kept for the next read: the record is already consumed
        break;
      }
      out += line;
    }
    return out;
  }

  /** True when a read would return something without waiting. */
  ready(): boolean {
    if (this.#carry !== '') return true;
    const ring = ringOf(this.#src);
    for (let cpu = 0; cpu < ring.params.cpus; cpu++) if (ring.peekView(cpu) !== null) return true;
    return false;
  }

  /** Wait until any CPU has data (per the watermark), `deadlineNs`, or close(). */
  async wait(deadlineNs = this.#opts.deadlineNs): Promise<WaitResult> {
    if (this.#closed) return 'cancelled';
    if (this.ready()) return 'ok';
    const ring = ringOf(this.#src);
    const word = new Int32Array(new SharedArrayBuffer(4));
    const me = { word, ring };
    this.#waits.add(me);
    const cancel = { view: word, index: 0 };
    const wm = this.#opts.watermarkPages ?? 0;
    const waits = Array.from({ length: ring.params.cpus }, (_, cpu) => ring.waitForDataAsync(cpu, {
      watermarkPages: wm, cancel, ...(deadlineNs === undefined ? {} : { deadlineNs }),
    }));
    // The first CPU with data wins; the others are cancelled and kicked so no wait is left behind.
    const first = await Promise.race(waits);
    Atomics.store(word, 0, 1); // publish: cancel the other CPUs' waits before kicking them
    for (let cpu = 0; cpu < ring.params.cpus; cpu++) ring.wakeReaders(cpu);
    const all = await Promise.all(waits);
    this.#waits.delete(me);
    if (this.#closed) return 'cancelled';
    if (all.includes('ok')) return 'ok';
    return first === 'cancelled' ? 'cancelled' : first;
  }

  /** Block until lines are ready (or deadline/close: then ''), and take them. */
  async read(maxBytes: number, deadlineNs = this.#opts.deadlineNs): Promise<string> {
    for (;;) {
      if (this.#closed) return '';
      const t = this.take(maxBytes);
      if (t !== '') {
        this.#pos = true;
        return t;
      }
      // trace.c tracing_wait_pipe: `if (!tracer_tracing_is_on(iter->tr) && iter->pos) break;`
      if (this.#pos && this.#opts.tracingOn !== undefined && !this.#opts.tracingOn()) return '';
      const r = await this.wait(deadlineNs);
      if (r === 'timed-out' || this.#closed) return '';
      // 'cancelled' without close: interrupted (the ring was replaced); look again.
    }
  }

  /** End every pending and future wait at once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.interrupt();
  }

  /** End every pending wait (each resolves 'cancelled'); read() then looks again, on the current ring. */
  interrupt(): void {
    for (const w of this.#waits) {
      Atomics.store(w.word, 0, 1); // publish: cancel first, then kick
      for (let cpu = 0; cpu < w.ring.params.cpus; cpu++) w.ring.wakeReaders(cpu);
    }
  }
}

/**
 * The pump both pipes share: push what `next()` gives until it gives null or the stream is full,
 * then `wait()`; on 'timed-out' or `ended()` push `rest()` and end the stream; on 'cancelled' stop
 * (destroy() cancels). One pump runs at a time; an error destroys the stream.
 */
function pumpedReadable<T>(
  opts: { readonly objectMode?: boolean; readonly encoding?: BufferEncoding },
  src: { next(size: number): T | null; wait(): Promise<WaitResult>; ended(): boolean; rest(): T[]; destroy(): void },
): Readable {
  let pumping = false;
  const stream: Readable = new Readable({
    ...opts,
    read(size) {
      if (pumping) return;
      pumping = true;
      void (async () => {
        try {
          for (;;) {
            const chunk = src.next(size);
            if (chunk !== null) {
              if (!stream.push(chunk)) return;
              continue;
            }
            const r = await src.wait();
            if (r === 'cancelled') return;
            if (r === 'timed-out' || src.ended()) {
              for (const c of src.rest()) stream.push(c);
              stream.push(null);
              return;
            }
          }
        } catch (err) {
          stream.destroy(err as Error);
        } finally {
          pumping = false;
        }
      })();
    },
    destroy(err, cb) {
      src.destroy();
      cb(err);
    },
  });
  return stream;
}

/**
 * trace_pipe as a text Readable: merged, consuming ftrace lines with in-band `CPU:N [LOST M EVENTS]`.
 * It ends at `deadlineNs` (if given); destroy() wakes a blocked read at once.
 *
 * @example
 * const pipe = tracePipeReadable(ring, { deadlineNs: clockNs() + 1e9 });
 * for await (const chunk of pipe) process.stdout.write(chunk);
 */
export function tracePipeReadable(src: RingSource, opts: TracePipeOptions = {}): Readable {
  const reader = new TracePipeReader(src, opts);
  return pumpedReadable<string>({ encoding: 'utf8' }, {
    next: (size) => reader.take(Math.max(size, 4096)) || null,
    wait: () => reader.wait(),
    ended: () => false, // the reader's wait times out at the deadline itself
    rest: () => [reader.take(Infinity)].filter((t) => t !== ''),
    destroy: () => reader.close(),
  });
}

/** Options of {@link rawPipeReadable}. */
export interface RawPipeOptions {
  /** Wake when this many whole pages are unread. @default 1 */
  readonly watermarkPages?: number;
  /** End of stream at this clockNs() time; the committed part of the filling page comes last. @default never */
  readonly deadlineNs?: number;
}

/**
 * per_cpu/cpuN/trace_pipe_raw as an object-mode Readable: every chunk is one whole page
 * (a `Uint8Array` of subbufSize bytes, decodable with decodePage). destroy() ends a wait at once.
 */
export function rawPipeReadable(src: RingSource, cpu: number, opts: RawPipeOptions = {}): Readable {
  const word = new Int32Array(new SharedArrayBuffer(4));
  const cancel = { view: word, index: 0 };
  return pumpedReadable<Uint8Array>({ objectMode: true }, {
    next: () => ringOf(src).consumePage(cpu)?.bytes ?? null,
    wait: () => ringOf(src).waitForDataAsync(cpu, {
      watermarkPages: opts.watermarkPages ?? 1, cancel, ...(opts.deadlineNs === undefined ? {} : { deadlineNs: opts.deadlineNs }),
    }),
    ended: () => opts.deadlineNs !== undefined && clockNs() >= opts.deadlineNs,
    rest: () => {
      const ring = ringOf(src);
      const out: Uint8Array[] = [];
      for (let p = ring.consumePage(cpu, { partial: true }); p !== null; p = ring.consumePage(cpu, { partial: true })) out.push(p.bytes);
      return out;
    },
    destroy: () => {
      Atomics.store(word, 0, 1); // publish: cancel, then kick
      try {
        ringOf(src).wakeReaders(cpu);
      } catch {
        /* a bad cpu never started a wait */
      }
    },
  });
}
