// Writer side: compare-and-swap reservation, counted commits (LTTng lib_ring_buffer_reserve /
// commit), with seed 001's split: COMMIT_LOCAL for the owning CPU actor, COMMIT_REMOTE for others.
// Runs in any thread: CPU actors, task workers, a thread committing after a migration.
// Contract: never blocks, never locks. A reserve either succeeds, or returns null and counts why.
import { kerr } from '../errno.js';
import { kick } from '../shm/wait.js';
import { type RingCore, bankIdx, cpuIdx, pageAddr } from './core.js';
import {
  ABS_FLAG, B_COMMIT_OVERRUN, COMMIT_EVENT, B_DROPPED, B_READ_SEQ, B_TAIL, C_LIVE, C_WAITERS, C_WAKE,
  C_WATERMARK, OFF_MASK, P_BASE_TS64, P_COMMIT_LOCAL,
  P_COMMIT_REMOTE, P_RES, PAGE_HDR, REC_HDR, ST_BUSY, ST_DATA, ST_PAD, ST_SHIFT,
  TAG_MASK, TAG_SHIFT, TYPE_SHIFT, maxPayload, recBytes, seqDiff,
} from './layout.js';
import { ADV_COMMIT_OVERRUN, ADV_FULL, ADV_OK, advanceTail } from './page.js';
import { Reservation, type ReservationRef } from './reservation.js';
import { type FastCommit, type FastReserve, bindFastPath } from './fastpath.js';

/*
 * Why a bounded spin, and what it costs: between winning the tail CAS and publishing the new
 * page's RES word, the advancing writer zeroes the page (~100 ns for 4 KiB). A writer that sees
 * the new tail before the page is published retries; if the advancer is descheduled for longer
 * than SPIN_LIMIT retries (~100 µs), the event is dropped and counted under `dropped` rather
 * than waiting on another thread. If the advancer dies there, repairDeadWriter() opens the page.
 */
const SPIN_LIMIT = 1 << 14;

/** Reserve/commit engine bound to one attachment (one writer id, optionally one owned CPU). */
export class RingWriter {
  readonly #c: RingCore;
  readonly #writerId: number;
  readonly #ownerCpu: number;
  readonly #clock: () => number;
  readonly #scratch: Reservation;
  readonly #maxPayload: number;
  readonly #pageMask: number;
  readonly #d32: Int32Array;
  readonly #d64: Float64Array;
  // Fast-path cache (see "Why a predicted CAS" below): the page this attachment last reserved in.
  #fCpu = -1;
  #fBank = 0;
  #fRes = 0;
  #fBase = 0;
  /** Memory addresses for the WebAssembly fast path: the cached page's RES, and its CPU's C_LIVE (-1 without a spare). */
  #fResAt = 0;
  #fLiveAt = -1;
  readonly #dataOff: number;
  readonly #wReserve: FastReserve;
  readonly #wCommit: FastCommit;
  // Deferred wake-ups (see "Why deferred wake-ups"): per CPU, 1 when a kick is owed; and whether any is.
  readonly #defer: boolean;
  readonly #owed: Int32Array;
  #anyOwed = false;

  constructor(core: RingCore, writerId: number, ownerCpu: number, clock: () => number, deferWakeups = false) {
    this.#c = core;
    this.#defer = deferWakeups;
    this.#owed = new Int32Array(deferWakeups ? core.params.cpus : 0);
    this.#writerId = writerId | 0;
    this.#ownerCpu = ownerCpu;
    this.#clock = clock;
    this.#scratch = this.newReservation();
    this.#maxPayload = maxPayload(core.params.subbufSize);
    this.#pageMask = ~(core.params.subbufSize - 1);
    this.#d32 = core.d32;
    this.#d64 = core.d64;
    this.#dataOff = core.dataOff;
    const fx = bindFastPath(core.memory);
    this.#wReserve = fx.reserve;
    this.#wCommit = fx.commit;
  }

  /** A fresh reservation object to pass as `into` when one writer holds several at once. */
  newReservation(): Reservation {
    const u8 = this.#c.u8;
    return new Reservation(u8, new DataView(u8.buffer, u8.byteOffset, u8.byteLength));
  }

  /** Reserve `payloadBytes` on `cpu`'s live buffer; null when the event was dropped (and counted). */
  reserve(cpu: number, payloadBytes: number, type: number, tsNs?: number, into?: Reservation): Reservation | null {
    const c = this.#c;
    if (!((cpu | 0) === cpu && cpu >= 0 && cpu < c.params.cpus)) {
      throw kerr('EINVAL', 'reserve', 'cpu', `cpu must be a whole number in 0..${c.params.cpus - 1}, got ${String(cpu)}`);
    }
    if (!((payloadBytes | 0) === payloadBytes && payloadBytes >= 0)) {
      throw kerr('EINVAL', 'reserve', 'length', `length must be a whole number of bytes ≥ 0, got ${String(payloadBytes)}`);
    }
    if (payloadBytes > this.#maxPayload) {
      throw kerr('E2BIG', 'reserve', 'length', `payload of ${payloadBytes} B exceeds ${this.#maxPayload} B, the most a ${c.params.subbufSize} B sub-buffer holds`);
    }
    if ((type & 0xff) !== type) throw kerr('EINVAL', 'reserve', 'type', `type must be a whole number in 0..255, got ${String(type)}`);
    const ts = tsNs === undefined ? this.#clock() : tsNs;
    // A NaN or infinite stamp would break the merge order of readers for good. Negative and
    // fractional stamps stay allowed: they are stored exactly (absolute) and order correctly.
    if (!Number.isFinite(ts)) throw kerr('EINVAL', 'reserve', 'tsNs', `tsNs must be a finite number of ns on the ring's clock, got ${String(ts)}`);
    if (cpu === this.#fCpu) {
      // Fast path: one WebAssembly call checks the live bank and CASes the predicted RES word (no TAIL or RES load).
      const r = this.#fRes;
      const off = r & OFF_MASK;
      const base = this.#fBase;
      const delta = ts - base;
      const abs = (delta | 0) !== delta || base + delta !== ts;
      const len = (REC_HDR + (abs ? 8 : 0) + payloadBytes + 7) & ~7;
      if (off + len <= c.cap) {
        const h0 = payloadBytes | (type << TYPE_SHIFT) | (abs ? ABS_FLAG : 0);
        const at = this.#wReserve(this.#fLiveAt, this.#fBank, this.#fResAt, r, len, h0 | (ST_BUSY << ST_SHIFT), this.#writerId, base);
        if (at > 0) {
          this.#fRes = r + len;
          return this.#fill(into ?? this.#scratch, cpu, this.#fBank, at - this.#dataOff, h0, abs, delta, payloadBytes, ts);
        }
        if (at < -1) this.padAba(cpu, -at - this.#dataOff);
      }
      this.#fCpu = -1;
    }
    const bank = c.banks === 1 ? 0 : Atomics.load(c.ctl, cpuIdx(c, cpu) + C_LIVE); // stale-ok: a racing swap lands this record in the old bank, which is the contract
    return this.#reserveSlow(cpu, bank, payloadBytes, type, ts, into);
  }

  /*
   * Why a predicted CAS, and what it costs: a reserve that starts by loading TAIL and RES pays two
   * Atomics builtin calls (~7 ns each here) before its CAS. A writer that keeps reserving on the same
   * CPU already knows RES: it is the value its own last CAS wrote, unless someone else reserved,
   * closed or reopened the page since. So the fast path CASes that predicted value directly. Success
   * proves RES held exactly our value: same tag (generation mod 2^15) and offset < CAP, i.e. the page
   * is open and is the tail (a tail only moves after its page is closed to CAP). Any other writer's
   * reserve, a close or a reopen makes the CAS fail, and the slow path below starts from TAIL again.
   * The CAS is seq_cst, so it also acquires the opener's RES store and BASE_TS is visible. ABA (the
   * RES word bit-identical after 2^15·k page turns while this writer slept) is caught by re-reading
   * BASE_TS after the CAS; the record then becomes counted padding. Cost: five cached numbers per
   * attachment, and a failed CAS (16 ns) before the slow path when another writer got in between.
   */

  /**
   * @internal After a fast path's CAS hit ABA (the page was recycled 2^15·k times and reopened at
   * this very offset, so the cached delta base is stale): the busy record at `rec` (data offset) is
   * ours in the new generation; publish it as committed padding. The caller takes the slow path.
   */
  padAba(cpu: number, rec: number): void {
    const len = recBytes(this.#d32[rec >> 2]!); // single writer: our own busy store
    this.#d32[(rec >> 2) + 1] = 0; // plain: published by the padding header store
    Atomics.store(this.#d32, rec >> 2, (len - REC_HDR) | (ST_PAD << ST_SHIFT)); // publish: padding header
    this.#addCommit(cpu, rec & this.#pageMask, len);
  }

  /** @internal Wake `cpu`'s waiting reader after a commit made elsewhere found WAITERS set (raw-writer.ts). */
  wakeAfterCommit(cpu: number): void {
    this.#wake(cpu, cpuIdx(this.#c, cpu));
  }

  /** The full reserve: load TAIL and RES, CAS, close and advance pages as needed; refreshes the fast-path cache. */
  #reserveSlow(cpu: number, bank: number, payloadBytes: number, type: number, ts: number, into: Reservation | undefined): Reservation | null {
    const c = this.#c;
    const bi = bankIdx(c, cpu, bank);
    const d32 = c.d32;
    const cap = c.cap;
    for (let spins = 0; ; spins++) {
      const t = Atomics.load(c.ctl, bi + B_TAIL); // acquire: the advancer published the page before... see RES check
      const page = pageAddr(c, cpu, bank, t & c.nMask);
      const resIdx = (page >> 2) + P_RES;
      const r = Atomics.load(d32, resIdx); // acquire: RES is stored last when a page opens
      if (r >>> TAG_SHIFT !== (t & TAG_MASK)) {
        // The page for `t` is still being opened by the writer that advanced the tail.
        if (spins < SPIN_LIMIT) continue;
        Atomics.add(c.ctl, bi + B_DROPPED, 1); // RMW only
        return null;
      }
      const off = r & OFF_MASK;
      const base = c.d64[(page >> 3) + P_BASE_TS64]!; // plain: published by the RES load above
      const delta = ts - base;
      const abs = (delta | 0) !== delta || base + delta !== ts; // the delta must fit an i32 and round-trip exactly
      const len = (REC_HDR + (abs ? 8 : 0) + payloadBytes + 7) & ~7;
      if (off + len <= cap) {
        if (Atomics.compareExchange(d32, resIdx, r, r + len) !== r) continue; // RMW only: lost the race, retry
        // No call and no loop edge between the CAS and these stores (see repair.ts for why that matters).
        const rec = page + PAGE_HDR + off;
        const h0 = payloadBytes | (type << TYPE_SHIFT) | (abs ? ABS_FLAG : 0);
        d32[rec >> 2] = h0 | (ST_BUSY << ST_SHIFT); // plain: a reader sees 0 or busy, both mean "stop here"
        d32[(rec >> 2) + 1] = this.#writerId; // plain: read only by repair after this writer died
        this.#fCpu = cpu;
        this.#fBank = bank;
        this.#fRes = r + len;
        this.#fBase = base;
        this.#fResAt = this.#dataOff + (resIdx << 2);
        this.#fLiveAt = c.banks === 1 ? -1 : (cpuIdx(c, cpu) + C_LIVE) << 2;
        return this.#fill(into ?? this.#scratch, cpu, bank, rec, h0, abs, delta, payloadBytes, ts);
      }
      if (off < cap) {
        // Close the page: claim the tail space, then fill it with one committed padding record.
        if (Atomics.compareExchange(d32, resIdx, r, (r & ~OFF_MASK) | cap) !== r) continue; // RMW only
        const rec = page + PAGE_HDR + off;
        d32[(rec >> 2) + 1] = 0;
        Atomics.store(d32, rec >> 2, (cap - off - REC_HDR) | (ST_PAD << ST_SHIFT)); // publish: padding header
        this.#addCommit(cpu, page, cap - off);
      }
      const adv = advanceTail(c, this.#writerId, cpu, bank, bi, t, ts);
      if (adv === ADV_OK) {
        const ci = cpuIdx(c, cpu);
        if (Atomics.load(c.ctl, ci + C_WAITERS) !== 0) this.#wake(cpu, ci); // acquire: Dekker with the reader
      }
      if (adv === ADV_FULL) {
        Atomics.add(c.ctl, bi + B_DROPPED, 1); // RMW only
        return null;
      }
      if (adv === ADV_COMMIT_OVERRUN) {
        Atomics.add(c.ctl, bi + B_COMMIT_OVERRUN, 1); // RMW only
        return null;
      }
    }
  }

  /** Fill the reservation object (and the absolute stamp word) after a successful reserve. */
  #fill(res: Reservation, cpu: number, bank: number, rec: number, h0: number, abs: boolean, delta: number, payloadBytes: number, ts: number): Reservation {
    if (abs) this.#d64[(rec >> 3) + 1] = ts;
    res.cpu = cpu;
    res.bank = bank;
    res.offset = rec;
    res.h0 = h0;
    res.h1 = abs ? 0 : delta;
    res.payloadOffset = rec + REC_HDR + (abs ? 8 : 0);
    res.payloadLength = payloadBytes;
    res.tsNs = ts;
    return res;
  }

  /** Publish a reservation from any thread; local counter if this attachment owns its CPU. */
  commit(r: ReservationRef): void {
    const c = this.#c;
    const cpu = r.cpu;
    const rec = r.offset;
    if (!((cpu >>> 0) < c.params.cpus && (rec & 7) === 0 && rec >= PAGE_HDR && rec < c.u8.length)) {
      throw kerr('EINVAL', 'commit', undefined, `no reservation at cpu ${String(cpu)} offset ${String(rec)}`);
    }
    const h0 = r.h0;
    const remote = cpu !== this.#ownerCpu;
    const ci = cpuIdx(c, cpu);
    const countAt = this.#dataOff + (rec & this.#pageMask) + ((remote ? P_COMMIT_REMOTE : P_COMMIT_LOCAL) << 2);
    // One WebAssembly call: check W0 is still our busy word, store W1, publish W0, count the commit, load WAITERS.
    // The count is a plain add when this thread is the CPU's actor (single writer), an atomic add otherwise.
    const waiters = this.#wCommit(this.#dataOff + rec, h0 | (ST_BUSY << ST_SHIFT), r.h1, h0 | (ST_DATA << ST_SHIFT),
      countAt, recBytes(h0) + COMMIT_EVENT, remote ? 1 : 0, (ci + C_WAITERS) << 2);
    if (waiters === 0) return;
    if (waiters < 0) {
      throw kerr('EINVAL', 'commit', undefined, `no pending reservation at offset ${rec} (committed twice, or repaired after its writer was declared dead)`);
    }
    this.#wake(cpu, ci);
  }

  /** Add `delta` (bytes, plus COMMIT_EVENT for a data record) to a page's commit count, then wake a waiting reader if one asked. */
  #addCommit(cpu: number, page: number, delta: number): void {
    const c = this.#c;
    const pi = page >> 2;
    if (cpu === this.#ownerCpu) {
      // single writer (the CPU's own actor), plain: the record's header store above already published the record;
      // stale-ok: another thread may see the count late, which only reads as "commit in flight" (a counted
      // commit overrun), never as complete too early. The count only grows within a page's generation.
      c.d32[pi + P_COMMIT_LOCAL] = c.d32[pi + P_COMMIT_LOCAL]! + delta;
    } else {
      Atomics.add(c.d32, pi + P_COMMIT_REMOTE, delta); // RMW only
    }
    const ci = cpuIdx(c, cpu);
    if (Atomics.load(c.ctl, ci + C_WAITERS) !== 0) this.#wake(cpu, ci); // acquire: Dekker with the reader's WAITERS add
  }

  /*
   * Why deferred wake-ups, and what it costs: waking a reader is an Atomics.notify, and one that
   * wakes a thread parked in the event loop (waitAsync) costs the notifier 20–50 µs on this VM, once
   * per page at the default watermark. Inside a commit that lands in the middle of the writer's
   * work: for a CPU actor, between timerlat's IRQ sample and its thread sample, which then reads
   * 20–50 µs late. ftrace defers the same wake-up to irq_work. With `deferWakeups` the commit only
   * notes the CPU here (a plain store, single writer: this attachment's thread), and the writer's
   * owner calls flushWakeups() when its latency-critical work is done (the CPU loop: at the end of
   * each pass). Cost: the reader wakes that much later; nothing for writers without the option.
   */

  /** Kick the readers this attachment owes a wake-up. */
  flushWakeups(): void {
    if (!this.#anyOwed) return;
    this.#anyOwed = false;
    const owed = this.#owed;
    for (let cpu = 0; cpu < owed.length; cpu++) {
      if (owed[cpu] === 0) continue;
      owed[cpu] = 0;
      kick(this.#c.ctl, cpuIdx(this.#c, cpu) + C_WAKE);
    }
  }

  /** Kick the CPU's wake word when the waiting reader's watermark is met. */
  #wake(cpu: number, ci: number): void {
    const c = this.#c;
    const wm = Atomics.load(c.ctl, ci + C_WATERMARK); // acquire: set by the reader before WAITERS
    if (wm > 0) {
      const bank = c.banks === 1 ? 0 : Atomics.load(c.ctl, ci + C_LIVE); // stale-ok: a swap kicks too
      const bi = bankIdx(c, cpu, bank);
      const full = seqDiff(Atomics.load(c.ctl, bi + B_TAIL), Atomics.load(c.ctl, bi + B_READ_SEQ)); // stale-ok: late by one page at most
      if (full < wm) return;
    }
    if (this.#defer) {
      this.#owed[cpu] = 1;
      this.#anyOwed = true;
      return;
    }
    kick(c.ctl, ci + C_WAKE);
  }
}
