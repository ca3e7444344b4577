// tracepipe channels (seed 003, Zach Brown's 2005 tracepipe): a named stream that records only
// while a reader holds it open and counts what it missed otherwise. Each event is a ring record
// of type `tracepipe` (3), so it carries {timestamp, cpu}. Writers run in any thread (attach the
// handle), never block and never lock; the control plane owns the reader count and the reads.
import { kerr } from '../errno.js';
import { EVENT_TRACEPIPE } from './events.js';
import { RingBuffer, type RingHandle } from './ring.js';

/** Structured-clonable descriptor: post it to a worker and `TracepipeWriter.attach` it there. */
export interface TracepipeHandle {
  readonly kind: 'tracelab.tracepipe';
  readonly name: string;
  readonly ring: RingHandle;
  /** Int32 words: [0] READERS (control plane, single writer), [1 + cpu] MISSED (writers, RMW only). */
  readonly ctl: SharedArrayBuffer;
}

const READERS = 0;
const MISSED0 = 1;

/** Pages per CPU of a channel: 16 × 4 KiB = 64 KiB, the seed's TRACEPIPE_PAGES_PER_CHANNEL budget. */
export const TRACEPIPE_PAGES = 16;

/** The writer side of a channel (any thread). */
export class TracepipeWriter {
  readonly handle: TracepipeHandle;
  readonly #ring: RingBuffer;
  readonly #ctl: Int32Array;

  private constructor(handle: TracepipeHandle, ring: RingBuffer) {
    this.handle = handle;
    this.#ring = ring;
    this.#ctl = new Int32Array(handle.ctl);
  }

  /** Attach a channel made elsewhere (any thread). Throws EINVAL on a foreign handle. */
  static attach(handle: TracepipeHandle): TracepipeWriter {
    if (handle === null || typeof handle !== 'object' || handle.kind !== 'tracelab.tracepipe' || !(handle.ctl instanceof SharedArrayBuffer)) {
      throw kerr('EINVAL', 'attach', 'tracepipe', 'not a tracepipe handle: expected { kind: "tracelab.tracepipe", name, ring, ctl }');
    }
    return new TracepipeWriter(handle, RingBuffer.attach(handle.ring));
  }

  /** @internal The control plane's own writer over a ring it created. */
  static own(handle: TracepipeHandle, ring: RingBuffer): TracepipeWriter {
    return new TracepipeWriter(handle, ring);
  }

  /**
   * Send `data` down the channel on `cpu` (tracepipe_event). Returns false when it was not
   * recorded: no reader holds the channel open, or its buffer is full; both count as missed.
   */
  event(cpu: number, data: Uint8Array, tsNs?: number): boolean {
    // stale-ok: a reader that opens right now may miss this event; it is counted as missed.
    if (Atomics.load(this.#ctl, READERS) === 0 || !this.#ring.write(cpu, EVENT_TRACEPIPE, data, tsNs)) {
      Atomics.add(this.#ctl, MISSED0 + cpu, 1); // RMW only
      return false;
    }
    return true;
  }

  /** Events not recorded on each CPU (no reader, or full). */
  missed(): number[] {
    return Array.from({ length: this.#ring.params.cpus }, (_, c) => Atomics.load(this.#ctl, MISSED0 + c) >>> 0); // stale-ok
  }

  /** Readers holding the channel open now. */
  readers(): number {
    return Atomics.load(this.#ctl, READERS); // stale-ok
  }
}

/** The control plane's side of one channel: the ring, the reader count, the writer. */
export class TracepipeChannel {
  readonly name: string;
  readonly ring: RingBuffer;
  readonly writer: TracepipeWriter;
  readonly #ctl: Int32Array;

  constructor(name: string, cpus: number, subbufSize = 4096) {
    this.name = name;
    this.ring = RingBuffer.create({ cpus, subbufSize, subbufsPerCpu: TRACEPIPE_PAGES, mode: 'discard' });
    const ctl = new SharedArrayBuffer(4 * (MISSED0 + cpus));
    this.#ctl = new Int32Array(ctl);
    this.writer = TracepipeWriter.own({ kind: 'tracelab.tracepipe', name, ring: this.ring.handle, ctl }, this.ring);
  }

  get handle(): TracepipeHandle {
    return this.writer.handle;
  }

  /** A reader opened the channel: recording starts with the first one. */
  addReader(): void {
    Atomics.add(this.#ctl, READERS, 1); // RMW only (control plane)
  }

  /** A reader closed it; the last one stops recording and drops what nobody will read (tracepipe_release). */
  dropReader(): void {
    if (Atomics.sub(this.#ctl, READERS, 1) === 1) {
      for (let c = 0; c < this.ring.params.cpus; c++) while (this.ring.consumeView(c) !== null);
    }
  }

  readers(): number {
    return this.writer.readers();
  }

  missed(): number[] {
    return this.writer.missed();
  }
}
