// The raw write path: reserveRaw returns the payload's byte offset in the data region, the caller
// stores into the ring's data views, and commitRaw() publishes it (kernel/trace/ring_buffer.c's
// ring_buffer_lock_reserve + ring_buffer_event_data + ring_buffer_unlock_commit). Any thread, one
// attachment at a time; one raw reservation held per attachment. Same records, same protocol, same
// ordering argument as reserve/commit (writer.ts, docs/ringbuf.md): only where the cache lives differs.
import { kerr } from '../errno.js';
import { type RingCore, cpuIdx } from './core.js';
import { bindRawPath, type RawPath } from './fastpath.js';
import { C_LIVE, C_WAITERS, CPU_WORDS, P_BASE_TS64, P_RES, REC_HDR, maxPayload } from './layout.js';
import type { Reservation } from './reservation.js';
import type { RingWriter } from './writer.js';

/*
 * Why a second path, and what it costs: reserve() returns a Reservation object and keeps its
 * predicted-CAS cache in JS, so an event pays ~15 ns of JavaScript around the two WebAssembly calls
 * (docs/ringbuf.md, "The single-writer floor"). Here the cache, the delta/ABS arithmetic and the
 * held reservation live in the module's globals: the hit path is one call to reserve_raw, the
 * caller's own stores, and one call to commit_last. A miss (first use, a full page, another writer
 * in between, a swap) takes reserve()'s full path and hands its result to the module (adopt). The
 * two caches are independent: each predicts a RES value and the CAS proves it, so mixing reserve()
 * and reserveRaw() on one attachment is correct, only slower. Cost: one more module instance per
 * attachment (a few hundred bytes), created on the first reserveRaw.
 */
export class RawWriter {
  readonly #c: RingCore;
  readonly #w: RingWriter;
  readonly #fx: RawPath;
  readonly #clock: () => number;
  readonly #scratch: Reservation;
  readonly #dataOff: number;
  readonly #maxPayload: number;
  readonly #pageMask: number;
  #cpu = 0;

  constructor(core: RingCore, w: RingWriter, writerId: number, ownerCpu: number, clock: () => number) {
    this.#c = core;
    this.#w = w;
    this.#clock = clock;
    this.#scratch = w.newReservation();
    this.#dataOff = core.dataOff;
    this.#maxPayload = maxPayload(core.params.subbufSize);
    this.#pageMask = ~(core.params.subbufSize - 1);
    this.#fx = bindRawPath(core.memory);
    this.#fx.init(writerId | 0, core.cap, core.dataOff, this.#pageMask, ownerCpu, (cpuIdx(core, 0) + C_WAITERS) << 2, CPU_WORDS << 2);
    // The first call of each entry of a new instance costs a few µs more than the next (measured);
    // pay it here. Both are no-ops now: no page is cached yet (the module's cache cpu is -1, so cpu 0
    // misses) and no reservation is held (W0 at address 0 is the control region's magic, never busy).
    this.#fx.reserve_raw(0, 0, 0, 0);
    this.#fx.commit_last();
  }

  /** Reserve like RingBuffer.reserve; returns the payload's byte offset in the data views, or -1 when dropped (counted). */
  reserve(cpu: number, payloadBytes: number, type: number, tsNs?: number): number {
    const ts = tsNs === undefined ? this.#clock() : tsNs;
    // Whole, non-negative numbers only before the module sees them (it truncates to i32, and its
    // "no cache" cpu is -1); a cpu that matches the cache is in range. Anything else takes the full path, which throws.
    if ((cpu >>> 0) === cpu && (payloadBytes >>> 0) === payloadBytes && payloadBytes <= this.#maxPayload && (type & 0xff) === type) {
      const x = this.#fx.reserve_raw(cpu, payloadBytes, type, ts);
      if (x > 0) {
        this.#cpu = cpu;
        return (x & ~7) - this.#dataOff + REC_HDR + ((x & 1) << 3); // bit 0: an absolute stamp precedes the payload
      }
      if (x < -1) this.#w.padAba(cpu, -x - this.#dataOff);
    }
    // The full path: argument errors, page turns, drops; then the module holds the reservation and caches its page.
    const r = this.#w.reserve(cpu, payloadBytes, type, ts, this.#scratch);
    if (r === null) return -1;
    const c = this.#c;
    const page = r.offset & this.#pageMask;
    const res = Atomics.load(c.d32, (page >> 2) + P_RES); // acquire: a prediction; the next CAS proves it
    const liveAt = c.banks === 1 ? -1 : (cpuIdx(c, cpu) + C_LIVE) << 2;
    this.#fx.adopt(cpu, r.bank, liveAt, this.#dataOff + page, res, c.d64[(page >> 3) + P_BASE_TS64]!, this.#dataOff + r.offset, r.h0, r.h1); // plain BASE_TS: published by the RES load
    this.#cpu = cpu;
    return r.payloadOffset;
  }

  /** Commit the held raw reservation. Throws EINVAL when none is held. */
  commit(): void {
    const waiters = this.#fx.commit_last();
    if (waiters === 0) return;
    if (waiters < 0) throw kerr('EINVAL', 'commitRaw', undefined, 'no raw reservation held (committed twice, never reserved, or repaired after its writer was declared dead)');
    this.#w.wakeAfterCommit(this.#cpu);
  }
}
