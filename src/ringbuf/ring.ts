// RingBuffer: the public facade over the per-CPU trace ring (kernel/trace/ring_buffer.c's
// ring_buffer_alloc / lock_reserve / unlock_commit / consume / peek / swap_cpu).
// Allocation (control plane) and attach (any worker) are separate steps; every method states the
// thread it may run in. Writers never block; readers are one per (cpu, bank) at a time.
import { threadId } from 'node:worker_threads';
import { kerr } from '../errno.js';
import { clockNs } from '../shm/clock.js';
import type { WaitResult } from '../shm/wait.js';
import { type RingCore, bankIdx, cpuIdx, makeCore } from './core.js';
import { B_READ_SEQ, B_TAIL, C_WAKE, seqDiff, validateParams, type RingCreateOptions, type RingParams } from './layout.js';
import { allocateRing, checkHandle, initPages } from './handle.js';
import { type ConsumePageOptions, type RawPage, consumePage } from './raw.js';
import { RingReader } from './reader.js';
import { EventView, type TraceRecord, toRecord } from './event-view.js';
import { type RepairReport, repairDeadWriter } from './repair.js';
import type { Reservation, ReservationRef } from './reservation.js';
import { type RingCpuStats, cpuStats } from './stats.js';
import { type SnapshotEvent, snapshotCpu } from './iter.js';
import { liveBank, swapCpu } from './swap.js';
import { kick } from '../shm/wait.js';
import { type WaitForDataOptions, waitReady, waitReadyAsync } from './watermark.js';
import { RingWriter } from './writer.js';
import { RawWriter } from './raw-writer.js';
import type { RingAttachOptions, RingHandle, RingWhich } from './ring-types.js';

export type { RingAttachOptions, RingHandle, RingWhich } from './ring-types.js';

/**
 * Per-CPU trace ring buffer in shared memory (one SharedArrayBuffer-backed WebAssembly.Memory) with concurrent, never-blocking writers.
 *
 * @example
 * const ring = RingBuffer.create({ cpus: 2, subbufSize: 4096, subbufsPerCpu: 16, mode: 'discard' });
 * new Worker(url, { workerData: ring.handle });          // there: RingBuffer.attach(workerData)
 * const r = ring.reserve(0, 8, 1);                         // 8 payload bytes, event type 1
 * if (r) { r.setF64(0, 42); ring.commit(r); }
 * for (let rec; (rec = ring.read()) !== null;) console.log(rec);
 */
export class RingBuffer {
  readonly handle: RingHandle;
  readonly #c: RingCore;
  readonly #w: RingWriter;
  #raw: RawWriter | null = null;
  readonly #writerId: number;
  readonly #owner: number;
  readonly #r: RingReader;
  readonly #clock: () => number;
  readonly #banks: Int32Array;

  private constructor(handle: RingHandle, opts: RingAttachOptions) {
    this.handle = handle;
    this.#c = makeCore(handle.params, handle.memory, handle.dataOffset);
    this.#clock = opts.clock ?? clockNs;
    const owner = opts.ownerCpu ?? -1;
    if (!Number.isInteger(owner) || owner < -1 || owner >= handle.params.cpus) {
      throw kerr('EINVAL', 'attach', 'ownerCpu', `ownerCpu must be a CPU in 0..${handle.params.cpus - 1}, got ${String(owner)}`);
    }
    this.#writerId = opts.writerId ?? threadId;
    this.#owner = owner;
    this.#w = new RingWriter(this.#c, this.#writerId, owner, this.#clock, opts.deferWakeups === true);
    this.#r = new RingReader(this.#c);
    this.#banks = new Int32Array(handle.params.cpus);
  }

  /** Allocate a ring (control plane). Throws KernelError EINVAL/E2BIG on bad sizes. */
  static create(opts: RingCreateOptions, attach: RingAttachOptions = {}): RingBuffer {
    const ring = new RingBuffer(allocateRing(validateParams(opts)), attach);
    initPages(ring.#c, ring.#clock());
    return ring;
  }

  /** Attach to a ring made elsewhere (any thread). Throws KernelError EINVAL on a foreign or stale handle. */
  static attach(handle: RingHandle, opts: RingAttachOptions = {}): RingBuffer {
    return new RingBuffer({ ...handle, params: checkHandle(handle) }, opts);
  }

  /** Geometry of the ring. */
  get params(): RingParams {
    return this.handle.params;
  }

  // ── writers (any thread) ────────────────────────────────────────────────────────────────

  /**
   * Reserve `length` payload bytes of event `type` (0..255) on `cpu`. Returns the attachment's
   * reused Reservation (or `into`), valid until commit; null when the event was dropped and counted.
   * `tsNs` defaults to the ring clock. Throws E2BIG for a payload larger than a sub-buffer holds.
   * The Reservation's set* methods throw EINVAL for bytes outside the `length` reserved.
   */
  reserve(cpu: number, length: number, type: number, tsNs?: number, into?: Reservation): Reservation | null {
    return this.#w.reserve(cpu, length, type, tsNs, into);
  }

  /** Commit a reservation (from any thread: the reserving one or, after a migration, another). */
  commit(r: ReservationRef): void {
    this.#w.commit(r);
  }

  /**
   * The raw write path (ftrace's ring_buffer_lock_reserve / ring_buffer_event_data /
   * ring_buffer_unlock_commit): reserve like `reserve`, but get the payload's byte offset in the data
   * views (`dataI32[off >> 2]`, `dataF64[off >> 3]`, `dataU8[off]`; payloads start 8-byte aligned)
   * instead of a Reservation, or -1 when the event was dropped (counted). Store the payload, then
   * call `commitRaw()`. One raw reservation per attachment at a time; it must be committed by this
   * attachment (a migrating writer uses `reserve`/`commit`). The cheapest write there is (see
   * `src/ringbuf/raw-writer.ts`). Throws as `reserve` does on bad arguments. Unchecked, unlike a
   * Reservation's set* (which throw EINVAL outside the payload): a store outside
   * [off, off + length) corrupts the next record's header and breaks that CPU's buffer.
   */
  reserveRaw(cpu: number, length: number, type: number, tsNs?: number): number {
    return (this.#raw ??= new RawWriter(this.#c, this.#w, this.#writerId, this.#owner, this.#clock)).reserve(cpu, length, type, tsNs);
  }

  /**
   * Set up the raw path now instead of at the first `reserveRaw`: its WebAssembly instance on this
   * ring's memory (30–65 µs measured, and a few µs more for the first call of each entry) would
   * otherwise land on the first event written. Writes nothing; idempotent.
   */
  prepareRaw(): void {
    this.#raw ??= new RawWriter(this.#c, this.#w, this.#writerId, this.#owner, this.#clock);
  }

  /** Commit the raw reservation this attachment holds. Throws EINVAL when it holds none. */
  commitRaw(): void {
    if (this.#raw === null) throw kerr('EINVAL', 'commitRaw', undefined, 'no raw reservation held');
    this.#raw.commit();
  }

  /** The data region as bytes, for `reserveRaw` payloads (offsets are relative to the region). */
  get dataU8(): Uint8Array {
    return this.#c.u8;
  }

  /** The data region as Int32 words (platform byte order, little-endian on x86 and arm64), for `reserveRaw` payloads (index = offset >> 2). */
  get dataI32(): Int32Array {
    return this.#c.d32;
  }

  /** The data region as Float64s, for `reserveRaw` payloads (index = offset >> 3). */
  get dataF64(): Float64Array {
    return this.#c.d64;
  }

  /** Wake the readers that commits of this attachment owed a wake-up (with `deferWakeups`). */
  flushWakeups(): void {
    this.#w.flushWakeups();
  }

  /** A new Reservation object, for a writer that holds several reservations at once. */
  newReservation(): Reservation {
    return this.#w.newReservation();
  }

  /** Reserve, copy `payload`, commit. Returns false if the event was dropped. */
  write(cpu: number, type: number, payload: Uint8Array, tsNs?: number): boolean {
    const r = this.#w.reserve(cpu, payload.byteLength, type, tsNs);
    if (r === null) return false;
    r.setBytes(0, payload);
    this.#w.commit(r);
    return true;
  }

  // ── readers (one per cpu and bank at a time) ─────────────────────────────────────────────

  /** Next record of `cpu` without consuming it (a copy). */
  peek(cpu: number, which: RingWhich = 'live'): TraceRecord | null {
    const v = this.#r.peek(cpu, this.#bank(cpu, which));
    return v === null ? null : toRecord(v);
  }

  /** Consume the next record of `cpu`, in order (a copy). Loss records come in-band. */
  consume(cpu: number, which: RingWhich = 'live'): TraceRecord | null {
    const v = this.#r.consume(cpu, this.#bank(cpu, which));
    return v === null ? null : toRecord(v);
  }

  /** Consume the earliest record across CPUs (merge by timestamp; loss records first). */
  read(which: RingWhich = 'live'): TraceRecord | null {
    const v = this.readView(which);
    return v === null ? null : toRecord(v);
  }

  /** `peek` without copying: the view is valid until the next reader call on this CPU. */
  peekView(cpu: number, which: RingWhich = 'live'): EventView | null {
    return this.#r.peek(cpu, this.#bank(cpu, which));
  }

  /** `consume` without copying. */
  consumeView(cpu: number, which: RingWhich = 'live'): EventView | null {
    return this.#r.consume(cpu, this.#bank(cpu, which));
  }

  /** `read` without copying. */
  readView(which: RingWhich = 'live'): EventView | null {
    for (let cpu = 0; cpu < this.#banks.length; cpu++) this.#banks[cpu] = this.#bank(cpu, which);
    return this.#r.read(this.#banks);
  }

  /** Consume the next whole committed page of `cpu` (trace_pipe_raw); `partial` also takes the filling page. */
  consumePage(cpu: number, opts: ConsumePageOptions & { readonly which?: RingWhich } = {}): RawPage | null {
    const bank = this.#bank(cpu, opts.which ?? 'live');
    this.#r.invalidate(cpu, bank);
    return consumePage(this.#c, cpu, bank, opts);
  }

  /** Block this worker until `cpu` has data (or the watermark's pages), the deadline, or cancel. */
  waitForData(cpu: number, opts: WaitForDataOptions & { readonly which?: RingWhich } = {}): WaitResult {
    this.#checkCpu(cpu, 'wait');
    return waitReady(this.#c, cpu, opts, () => this.#ready(cpu, opts));
  }

  /** The main-thread form of `waitForData`. */
  waitForDataAsync(cpu: number, opts: WaitForDataOptions & { readonly which?: RingWhich } = {}): Promise<WaitResult> {
    try {
      this.#checkCpu(cpu, 'wait');
    } catch (err) {
      return Promise.reject(err);
    }
    return waitReadyAsync(this.#c, cpu, opts, () => this.#ready(cpu, opts));
  }

  /** Copies of `cpu`'s unread events, oldest first, without consuming them (the `trace` file). */
  snapshot(cpu: number, which: RingWhich = 'live'): SnapshotEvent[] {
    return snapshotCpu(this.#c, cpu, this.#bank(cpu, which));
  }

  /** Wake every reader blocked in waitForData on `cpu` (they re-check data, deadline and cancel). */
  wakeReaders(cpu: number): void {
    this.#checkCpu(cpu, 'wake');
    kick(this.#c.ctl, cpuIdx(this.#c, cpu) + C_WAKE); // publish: set the cancel word before calling this
  }

  // ── control plane ────────────────────────────────────────────────────────────────────────

  /** per_cpu/cpuN/stats of one CPU buffer. */
  stats(cpu: number, which: RingWhich = 'live'): RingCpuStats {
    return cpuStats(this.#c, cpu, this.#bank(cpu, which), this.#clock());
  }

  /**
   * Exchange `cpu`'s live buffer with its spare; returns the bank now live. Needs `spare: true`.
   * The spare is emptied first (its unread events count as overrun), so writers start on an empty
   * bank. Call it from the thread that reads the spare.
   */
  swapCpu(cpu: number): number {
    return swapCpu(this.#c, cpu, (spare) => this.#r.discard(cpu, spare));
  }

  /** Turn the pending reservations of a writer known to be dead into counted padding. */
  repairDeadWriter(writerId: number): RepairReport {
    return repairDeadWriter(this.#c, writerId, this.#clock());
  }

  #checkCpu(cpu: number, syscall: string): void {
    if (!((cpu | 0) === cpu && cpu >= 0 && cpu < this.params.cpus)) {
      throw kerr('EINVAL', syscall, 'cpu', `cpu must be a whole number in 0..${this.params.cpus - 1}, got ${String(cpu)}`);
    }
  }

  #bank(cpu: number, which: RingWhich): number {
    this.#checkCpu(cpu, 'read');
    const live = liveBank(this.#c, cpu);
    if (which === 'live') return live;
    if (this.#c.banks !== 2) throw kerr('ENODEV', 'read', 'spare', 'this ring has no spare buffer: create it with { spare: true }');
    return live ^ 1;
  }

  #ready(cpu: number, opts: WaitForDataOptions & { readonly which?: RingWhich }): boolean {
    const bank = this.#bank(cpu, opts.which ?? 'live');
    const wm = opts.watermarkPages ?? 0;
    if (wm === 0) return this.#r.peek(cpu, bank) !== null;
    const bi = bankIdx(this.#c, cpu, bank);
    return seqDiff(Atomics.load(this.#c.ctl, bi + B_TAIL), Atomics.load(this.#c.ctl, bi + B_READ_SEQ)) >= wm; // stale-ok: whole pages behind the tail
  }
}
