// Reader side: consume/peek per CPU in order, merged read across CPUs by timestamp, in-band loss
// records ("CPU:N [LOST M EVENTS]"). kernel/trace/ring_buffer.c: rb_buffer_peek / ring_buffer_consume,
// trace.c: __find_next_entry. Runs in the one reader of each bank (any thread, one at a time).
// Never returns a record whose commit is incomplete: it stops at the first empty or busy header.
import { type RingCore, bankIdx, pageAddr } from './core.js';
import { finishPage, losePage, pendingLoss, reportLoss } from './cursor.js';
import { EventView } from './event-view.js';
import { RingFormatError } from './decode.js';
import { cpuRelax } from '../shm/relax.js';
import {
  ABS_FLAG, B_COMMIT_OVERRUN_REPORTED, B_DEAD_REPORTED, B_DROPPED_REPORTED, B_OVERRUN_RAW, B_OVERRUN_REPORTED, B_READ_EVENTS, B_READ_K, B_READ_OFF, B_READ_SEQ, CLAIM_OVERWRITTEN, LEN_MASK,
  P_BASE_TS64, P_CLAIM, P_RES, PAGE_HDR, REC_HDR, ST_BUSY, ST_DATA, ST_DEAD, ST_EMPTY, TAG_MASK,
  TAG_SHIFT, TYPE_SHIFT, maxPayload, recBytes, recState, seqDiff,
} from './layout.js';

/** The reader's in-band "reported" words, saved and restored around discard(). */
const REPORTED_WORDS = [B_DROPPED_REPORTED, B_COMMIT_OVERRUN_REPORTED, B_DEAD_REPORTED, B_OVERRUN_REPORTED] as const;

/** Pause (ns) before a busy record is read again (see "Why a busy record is re-read"). */
const BUSY_RELAX_NS = 800;

/** Per-bank read cursors with a one-record look-ahead each (for peek and the merge). */
export class RingReader {
  readonly #c: RingCore;
  readonly #heads: EventView[];
  /** Per bank: a page was lost since the last overrun report, so report before the next event. */
  readonly #lostSeen: Uint8Array;
  // Per bank: the page the cursor is on, as last checked (see "Why a page cache" below).
  // #pSeq is -1 when nothing is cached.
  readonly #pSeq: Int32Array;
  readonly #pClaim: Int32Array;
  readonly #pBase: Float64Array;

  constructor(core: RingCore) {
    this.#c = core;
    const n = core.params.cpus * core.banks;
    const mp = maxPayload(core.params.subbufSize);
    this.#heads = Array.from({ length: n }, () => new EventView(mp));
    this.#lostSeen = new Uint8Array(n);
    this.#pSeq = new Int32Array(n).fill(-1);
    this.#pClaim = new Int32Array(n);
    this.#pBase = new Float64Array(n);
  }

  /** Drop any look-ahead of a bank (after a raw page read moved its cursor). */
  invalidate(cpu: number, bank: number): void {
    const k = cpu * this.#c.banks + bank;
    this.#heads[k]!.valid = false;
    this.#pSeq[k] = -1;
  }

  /** The next record of (cpu, bank) without consuming it, or null if nothing complete is there. */
  peek(cpu: number, bank: number): EventView | null {
    const k = cpu * this.#c.banks + bank;
    const h = this.#heads[k]!;
    if (h.valid) return h;
    return this.#fill(h, cpu, bank, k);
  }

  /** Consume the next record of (cpu, bank). */
  consume(cpu: number, bank: number): EventView | null {
    const h = this.peek(cpu, bank);
    if (h !== null) this.advance(h);
    return h;
  }

  /** Merge: the earliest head across CPUs (loss records first), consumed. `banks[cpu]` picks each bank. */
  read(banks: ArrayLike<number>): EventView | null {
    let best: EventView | null = null;
    for (let cpu = 0; cpu < this.#c.params.cpus; cpu++) {
      const h = this.peek(cpu, banks[cpu]!);
      if (h === null) continue;
      if (h.kind === 'lost') {
        best = h;
        break;
      }
      if (best === null || h.tsNs < best.tsNs) best = h;
    }
    if (best !== null) this.advance(best);
    return best;
  }

  /** Move the cursor past a peeked record. */
  advance(h: EventView): void {
    const c = this.#c;
    const bi = bankIdx(c, h.cpu, h.bank);
    h.valid = false;
    if (h.kind === 'lost') {
      reportLoss(c, bi, h.loss);
      return;
    }
    const ctl = c.ctl;
    // single writer: reader, plain; stale-ok: stats and snapshots in other threads may see the cursor
    // and count late (an event shown as unread a little longer). Writers never read these three words.
    ctl[bi + B_READ_OFF] = h.nextOff;
    ctl[bi + B_READ_K] = ctl[bi + B_READ_K]! + 1;
    ctl[bi + B_READ_EVENTS] = ctl[bi + B_READ_EVENTS]! + 1;
  }

  /**
   * Skip every complete record of (cpu, bank) unread (swapCpu clears the bank about to go live).
   * Data events are counted as overrun, so attempts == read + overrun + dropped + commit overrun
   * still holds, and the next reader of the bank is told in-band. Losses already pending stay
   * pending for that reader. Stops at the first busy record, like any read. Returns the events skipped.
   */
  discard(cpu: number, bank: number): number {
    const c = this.#c;
    const ctl = c.ctl;
    const bi = bankIdx(c, cpu, bank);
    const reported = REPORTED_WORDS.map((f) => ctl[bi + f]!); // single writer: reader (us)
    let events = 0;
    for (let h = this.peek(cpu, bank); h !== null; h = this.peek(cpu, bank)) {
      if (h.kind === 'lost') {
        this.advance(h); // marks it reported; undone below
        continue;
      }
      h.valid = false;
      // As advance(), minus READ_EVENTS. READ_K still counts the skipped event: if its page is then
      // overwritten, losePage moves READ_K to OVERRUN_CORR, so the overwriter's count and ours cancel once.
      ctl[bi + B_READ_OFF] = h.nextOff; // single writer: reader, plain (see advance)
      ctl[bi + B_READ_K] = ctl[bi + B_READ_K]! + 1; // single writer: reader, plain
      events++;
    }
    REPORTED_WORDS.forEach((f, i) => Atomics.store(ctl, bi + f, reported[i]!)); // single writer: reader; the next read reports them
    if (events !== 0) Atomics.add(ctl, bi + B_OVERRUN_RAW, events); // RMW only: final, never taken back
    return events;
  }

  /*
   * Why a busy record is re-read once after a pause, and why the copy is word-wise, and what they
   * cost: a reader that has caught up polls the W0 of the record the writer is filling. Every poll
   * pulls that cache line to the reader's core, and the writer's next store to it (payload, W1, the
   * publishing W0) must pull it back: on this VM each round trip of the line costs ~50–100 ns, more
   * than the rest of an event. Seeing BUSY means a commit is in flight (a writer between reserve and
   * commit, typically ~30 ns from publishing), so the reader pauses 800 ns without touching shared
   * memory (cpuRelax, the kernel's cpu_relax in a seqcount retry) and reads W0 once more; it does
   * this once per call, so a writer that died or was descheduled mid-commit costs one pause, never a
   * wait. An EMPTY record (nothing reserved) returns at once, so idle CPUs in a merged read() cost
   * nothing extra. The payload copy moves 4-byte words (payloads start 8-byte aligned). Measured
   * (BENCH_ONLY=xfer, writer stamps / clock per event, ns per event, p50): byte copy and no pause
   * 111 / 156; word copy alone 77 / 185 (the faster reader is caught up more often and polls the
   * writer's line harder); word copy and a pause of 300 ns 85 / 159, of 800 ns 76–85 / 146–147, of
   * 1500 ns 84 / 141 (docs/ringbuf.md). The pause lets the writer fill several records before the
   * reader touches their lines again. Cost: up to 0.8 µs added to a call that meets an in-flight
   * commit, which then usually returns that event instead of null.
   */

  /*
   * Why a page cache, and what it costs: per event the reader used to load the loss counters
   * (3 Atomics.load), CLAIM and RES before the record's W0, ~7 ns each here. The cursor's page only
   * changes at a page turn, so it keeps, per bank, the sequence, CLAIM and BASE_TS it last checked.
   * RES is loaded once, on entering the page (acquire: the page is open for this sequence, so its
   * zeroed data area and BASE_TS are visible); after that the record headers alone say where data
   * stops: a W0 that is not 0 was written in this generation (the opener zeroed the area before its
   * RES store, and a page is recycled only once every reservation of the old generation committed),
   * an acquire load of a committed W0 publishes its payload, and off == CAP means the closing padding
   * was read, i.e. the page is complete. So a record costs one W0 acquire, and a caught-up reader polls
   * only the line the next record goes to, not the RES word every writer CASes (measured: see
   * docs/ringbuf.md). Lengths are bounded by CAP instead of the RES offset (corruption check only).
   * Discard mode: writers never recycle the page READ_SEQ names, so the cached CLAIM stays true.
   * Overwrite mode: the per-record CLAIM re-check after the copy (kept) catches a recycle and drops
   * the cache. Losses (dropped, commit overrun, dead writer) are then checked when the cursor enters
   * a page and when it runs out of data, not before every event: like ftrace's per-page missed-events
   * flag, a loss is reported at most one page late (an overrun whose overwriter is descheduled between
   * its CLAIM CAS and its count: at the next check after that), and the counts stay exact.
   */

  #lost(h: EventView): EventView {
    h.kind = 'lost';
    h.lostCount = h.loss.count;
    h.lostReason = h.loss.reason;
    h.tsNs = -Infinity;
    h.payloadLength = 0;
    h.valid = true;
    return h;
  }

  #fill(h: EventView, cpu: number, bank: number, k: number): EventView | null {
    const c = this.#c;
    const { ctl, d32, u8 } = c;
    const bi = bankIdx(c, cpu, bank);
    h.cpu = cpu;
    h.bank = bank;
    for (;;) {
      const s = ctl[bi + B_READ_SEQ]!; // single writer: reader (us)
      const page = pageAddr(c, cpu, bank, s & c.nMask);
      const pi = page >> 2;
      let claim: number;
      const end = c.cap; // the record headers say where the data stops (see "Why a page cache")
      let off = ctl[bi + B_READ_OFF]!; // single writer: reader (us)
      if (this.#pSeq[k] === s) {
        claim = this.#pClaim[k]!;
      } else {
        if (pendingLoss(c, bi, false, h.loss)) return this.#lost(h);
        claim = Atomics.load(d32, pi + P_CLAIM); // acquire: opener stored it before RES
        const d = seqDiff(claim >>> 2, s);
        if (d < 0) return this.#idle(h, bi, k); // the page has not been opened yet
        if (d > 0 || (claim & 3) === CLAIM_OVERWRITTEN) {
          losePage(c, bi, s);
          this.#lostSeen[k] = 1;
          continue;
        }
        const r = Atomics.load(d32, pi + P_RES); // acquire: opened for this sequence? (BASE_TS is stored before RES)
        if (r >>> TAG_SHIFT !== (s & TAG_MASK)) return this.#idle(h, bi, k);
        this.#pSeq[k] = s;
        this.#pClaim[k] = claim;
        this.#pBase[k] = c.d64[(page >> 3) + P_BASE_TS64]!;
      }
      let recheck = false;
      let relaxed = false;
      while (off < end) {
        const rec = page + PAGE_HDR + off;
        const w0 = Atomics.load(d32, rec >> 2); // acquire: commit published the header after the payload
        const st = recState(w0);
        if (st === ST_BUSY && !relaxed) {
          relaxed = true; // once per call: a dead or descheduled writer costs one pause, never a wait
          cpuRelax(BUSY_RELAX_NS);
          continue; // re-read this record's W0
        }
        if (st === ST_EMPTY || st === ST_BUSY) {
          if (!c.discard && Atomics.load(d32, pi + P_CLAIM) !== claim) { recheck = true; break; } // acquire: recycled under a cached page
          return this.#idle(h, bi, k);
        }
        const len = recBytes(w0);
        if (st > ST_DEAD || off + len > end) {
          if (!c.discard && Atomics.load(d32, pi + P_CLAIM) !== claim) { recheck = true; break; } // acquire: torn by a recycle
          throw new RingFormatError(off + PAGE_HDR, `live page cpu ${cpu} seq ${s}: record state ${st}, ${len} B at data offset ${off} of ${end}`);
        }
        if (st !== ST_DATA) {
          off += len;
          ctl[bi + B_READ_OFF] = off; // single writer: reader, plain (see advance)
          continue;
        }
        if (this.#lostSeen[k] === 1) {
          this.#lostSeen[k] = 0;
          if (pendingLoss(c, bi, true, h.loss)) return this.#lost(h);
        }
        const abs = (w0 & ABS_FLAG) !== 0;
        const pl = w0 & LEN_MASK;
        const src = rec + REC_HDR + (abs ? 8 : 0);
        h.tsNs = abs ? c.d64[(rec >> 3) + 1]! : this.#pBase[k]! + d32[(rec >> 2) + 1]!;
        h.type = (w0 >>> TYPE_SHIFT) & 0xff;
        h.payloadLength = pl;
        if (pl <= 64) {
          // Word-wise: payloads start 8-byte aligned; the tail (pl % 4 bytes) byte by byte.
          const words = pl >> 2;
          const p32 = h.payload32;
          const w = src >> 2;
          for (let i = 0; i < words; i++) p32[i] = d32[w + i]!;
          for (let i = words << 2; i < pl; i++) h.payload[i] = u8[src + i]!;
        } else h.payload.set(u8.subarray(src, src + pl));
        if (!c.discard && Atomics.load(d32, pi + P_CLAIM) !== claim) { recheck = true; break; } // acquire: seqlock-style validation of the copy
        h.kind = 'event';
        h.nextOff = off + len;
        h.valid = true;
        return h;
      }
      if (recheck) { // the claim changed; the full path at the top sees the loss
        this.#pSeq[k] = -1;
        continue;
      }
      this.#pSeq[k] = -1; // off reached CAP through committed records: the page is complete
      if (!finishPage(c, bi, s, page, claim)) this.#lostSeen[k] = 1;
    }
  }

  /** Nothing complete to read: report any loss still owed, else null. */
  #idle(h: EventView, bi: number, k: number): EventView | null {
    this.#lostSeen[k] = 0;
    if (pendingLoss(this.#c, bi, true, h.loss)) return this.#lost(h);
    return null;
  }
}

/** @internal Used by raw page reads: the bank's claim must still be `claim` for a copy to be valid. */
export function claimHolds(c: RingCore, page: number, claim: number): boolean {
  return Atomics.load(c.d32, (page >> 2) + P_CLAIM) === claim; // acquire
}
