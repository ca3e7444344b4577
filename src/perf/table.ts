// The event table (kernel/events/core.c: perf_event_alloc, the task perf context, event counts).
// Any thread: task workers (open, ioctl, close, exec, hits) and the control plane (inherit at clone,
// exit). Every mutation runs under the perf lock and brackets each touched task's GEN seqcount
// (odd while changing); the owning task's hit path reads its own block lock-free and retries on a
// GEN change. COUNT, PERIOD_LEFT and LIMIT are also written by the owning task on a hit.
import { kerr } from '../errno.js';
import { clockNs } from '../shm/clock.js';
import { HBP_NUM, PERF_COUNT_SW, PERF_TYPE } from './abi.js';
import type { ValidAttr } from './attr.js';
import { EV, EV64, EVF, EvState, TASK_MAX_EVENTS, TP, type PerfShm } from './layout.js';
import { PerfLock } from './lock.js';
import { recomputeArmed, snapshotBps, type BpEntry } from './task-bps.js';

export type { BpEntry };

/** Raw per-task counters that feed software events, read by whoever reads the event. */
export interface SwSources {
  /** cpu-migrations of the task in `slot` so far (the process table's MIGRATIONS word). */
  migrations(slot: number): number;
}

/** The event table of a lab, attached in one thread. */
export class PerfTable {
  readonly shm: PerfShm;
  readonly #lock: PerfLock;
  readonly #me: number;
  readonly #sw: SwSources;
  #hint = 0;

  constructor(shm: PerfShm, me: number, isAlive: (owner: number) => boolean, sw: SwSources) {
    this.shm = shm;
    this.#me = me;
    this.#sw = sw;
    this.#lock = new PerfLock(shm.i32, shm.lockIndex, isAlive, () => this.#repair());
  }

  /** Run `fn` under the lock; every task in `touch` (or added to it by fn) gets its GEN bracketed and ARMED recomputed. */
  locked<T>(fn: (touch: (slot: number) => void) => T): T {
    const touched = new Set<number>();
    const i32 = this.shm.i32;
    const touch = (slot: number): void => {
      if (slot < 0 || touched.has(slot)) return;
      touched.add(slot);
      Atomics.add(i32, this.shm.taskBase(slot) + TP.GEN, 1); // RMW only: odd, readers retry
    };
    this.#lock.acquire(this.#me);
    try {
      return fn(touch);
    } finally {
      for (const slot of touched) {
        const tb = this.shm.taskBase(slot);
        recomputeArmed(this, slot);
        Atomics.add(i32, tb + TP.GEN, 1); // publish: even again, the block is consistent
      }
      this.#lock.release();
    }
  }

  /** Events attached to the task in `slot` (lock held or stale-ok). */
  eventsOf(slot: number): number[] {
    const base = this.shm.taskBase(slot) + TP.EVENTS;
    const out: number[] = [];
    for (let i = 0; i < TASK_MAX_EVENTS; i++) {
      const v = Atomics.load(this.shm.i32, base + i);
      if (v !== 0) out.push(v - 1);
    }
    return out;
  }

  /** Live inherited children of top-level event `e` (lock held). */
  childrenOf(e: number): number[] {
    const out: number[] = [];
    const i32 = this.shm.i32;
    for (let c = 0; c < this.shm.maxEvents; c++) {
      const b = this.shm.ev(c);
      if (i32[b + EV.STATE] !== EvState.FREE && i32[b + EV.PARENT] === e + 1) out.push(c);
    }
    return out;
  }

  /** Field accessors. */
  get32(e: number, f: number): number {
    return Atomics.load(this.shm.i32, this.shm.ev(e) + f);
  }
  set32(e: number, f: number, v: number): void {
    Atomics.store(this.shm.i32, this.shm.ev(e) + f, v);
  }
  getF(e: number, f: number): number {
    return this.shm.f64[this.shm.evf(e) + f]!;
  }
  setF(e: number, f: number, v: number): void {
    this.shm.f64[this.shm.evf(e) + f] = v;
  }
  get64(e: number, f: number): bigint {
    return BigInt.asUintN(64, Atomics.load(this.shm.i64, this.shm.ev64(e) + f)); // u64 fields in a signed view
  }
  set64(e: number, f: number, v: bigint): void {
    Atomics.store(this.shm.i64, this.shm.ev64(e) + f, BigInt.asIntN(64, v));
  }

  /** Create an event for the task (`tid`, `slot`) from a validated attr (lock held). ENOSPC, EMFILE, ENOMEM. */
  create(v: ValidAttr, tid: number, slot: number, cpu: number, parent: number | undefined, enabled: boolean, touch: (slot: number) => void): number {
    const isBp = v.type === PERF_TYPE.BREAKPOINT;
    const tb = this.shm.taskBase(slot);
    if (isBp && this.shm.i32[tb + TP.NBP]! >= HBP_NUM) throw kerr('ENOSPC', 'perf_event_open', undefined, `all ${HBP_NUM} breakpoint slots of task ${tid} are in use`);
    const listSlot = this.#freeListSlot(slot);
    if (listSlot < 0) throw kerr('EMFILE', 'perf_event_open', undefined, `task ${tid} already has ${TASK_MAX_EVENTS} perf events`);
    const e = this.#freeRecord();
    if (e < 0) throw kerr('ENOMEM', 'perf_event_open', undefined, `the lab's ${this.shm.maxEvents} perf events are in use`);
    touch(slot);
    const i32 = this.shm.i32;
    const b = this.shm.ev(e);
    for (let w = 0; w < 16; w++) i32[b + w] = 0;
    i32[b + EV.OWNER_TID] = tid;
    i32[b + EV.OWNER_SLOT] = slot;
    i32[b + EV.PARENT] = parent === undefined ? 0 : parent + 1;
    i32[b + EV.TYPE] = v.type;
    i32[b + EV.CONFIG] = v.config;
    i32[b + EV.BP_TYPE] = v.bpType;
    i32[b + EV.BP_LEN] = v.bpLen;
    i32[b + EV.FLAGS] = v.flags;
    i32[b + EV.CPU] = cpu;
    i32[b + EV.SIZE] = v.size;
    this.set64(e, EV64.SIG_DATA, v.sigData);
    this.set64(e, EV64.COUNT, 0n);
    this.set64(e, EV64.CHILD_COUNT, 0n);
    this.setF(e, EVF.BP_ADDR, v.bpAddr);
    this.setF(e, EVF.PERIOD, v.samplePeriod);
    this.setF(e, EVF.PERIOD_LEFT, v.samplePeriod);
    this.setF(e, EVF.SW_BASE, 0);
    this.setF(e, EVF.SW_ACCUM, 0);
    Atomics.store(i32, b + EV.STATE, EvState.ACTIVE); // publish: the record is complete
    Atomics.store(i32, tb + TP.EVENTS + listSlot, e + 1);
    if (isBp) i32[tb + TP.NBP]!++;
    if (enabled) this.setEnabled(e, true);
    return e;
  }

  /** Start or stop counting one event (lock held; the caller touched its owner). */
  setEnabled(e: number, on: boolean): void {
    if (this.get32(e, EV.STATE) !== EvState.ACTIVE) return; // an exited event stays as it is
    const was = this.get32(e, EV.ENABLED) === 1;
    if (was === on) return;
    if (this.get32(e, EV.TYPE) === PERF_TYPE.SOFTWARE) {
      const raw = this.#raw(e);
      if (on) this.setF(e, EVF.SW_BASE, raw);
      else this.setF(e, EVF.SW_ACCUM, this.getF(e, EVF.SW_ACCUM) + raw - this.getF(e, EVF.SW_BASE));
    }
    this.set32(e, EV.ENABLED, on ? 1 : 0);
  }

  /** The event's own count (no children). */
  value(e: number): number {
    if (this.get32(e, EV.TYPE) !== PERF_TYPE.SOFTWARE) return Number(this.get64(e, EV64.COUNT));
    const running = this.get32(e, EV.ENABLED) === 1 && this.get32(e, EV.STATE) === EvState.ACTIVE;
    return Math.round(this.getF(e, EVF.SW_ACCUM) + (running ? this.#raw(e) - this.getF(e, EVF.SW_BASE) : 0));
  }

  /** read(2) of a top-level event: its count, its ended children's, and its live children's. */
  read(e: number): number {
    return this.locked(() => {
      let total = this.value(e) + Number(this.get64(e, EV64.CHILD_COUNT));
      for (const c of this.childrenOf(e)) total += this.value(c);
      return total;
    });
  }

  /** Zero one event's count (lock held). CHILD_COUNT stays, as _perf_event_reset leaves child_count. */
  resetOne(e: number): void {
    this.set64(e, EV64.COUNT, 0n);
    if (this.get32(e, EV.TYPE) === PERF_TYPE.SOFTWARE) {
      this.setF(e, EVF.SW_ACCUM, 0);
      this.setF(e, EVF.SW_BASE, this.#raw(e));
    }
  }

  /** Take `e` off its owner's list (lock held; the caller touched the owner). */
  detach(e: number): void {
    const slot = this.get32(e, EV.OWNER_SLOT);
    if (this.get32(e, EV.STATE) !== EvState.ACTIVE) return;
    this.setEnabled(e, false);
    const tb = this.shm.taskBase(slot);
    for (let i = 0; i < TASK_MAX_EVENTS; i++) {
      if (this.shm.i32[tb + TP.EVENTS + i] === e + 1) Atomics.store(this.shm.i32, tb + TP.EVENTS + i, 0);
    }
    if (this.get32(e, EV.TYPE) === PERF_TYPE.BREAKPOINT) this.shm.i32[tb + TP.NBP]!--;
    this.set32(e, EV.STATE, EvState.EXITED);
  }

  /** Detach and free a record (lock held). */
  free(e: number): void {
    this.detach(e);
    this.set32(e, EV.STATE, EvState.FREE);
  }

  /** Fold an inherited child's count into its parent and free it (sync_child_event; lock held). */
  foldAndFree(c: number): void {
    const p = this.get32(c, EV.PARENT) - 1;
    if (this.get32(c, EV.TYPE) === PERF_TYPE.SOFTWARE) this.setEnabled(c, false);
    const v = BigInt(this.value(c));
    if (p >= 0) Atomics.add(this.shm.i64, this.shm.ev64(p) + EV64.CHILD_COUNT, v); // RMW only
    this.free(c);
  }

  /** Enabled breakpoints of the task in `slot`, read lock-free under its GEN seqcount (task-bps.ts). */
  snapshot(slot: number): { gen: number; bps: BpEntry[] } {
    return snapshotBps(this, slot);
  }

  /** The owning task counts one hit; returns true on overflow (sample_period reached). */
  hit(e: number): boolean {
    Atomics.add(this.shm.i64, this.shm.ev64(e) + EV64.COUNT, 1n); // RMW only: reset may store 0 meanwhile
    const period = this.getF(e, EVF.PERIOD);
    if (period <= 0) return false;
    const left = this.getF(e, EVF.PERIOD_LEFT) - 1; // single writer: the owning task
    this.setF(e, EVF.PERIOD_LEFT, left > 0 ? left : period);
    return left <= 0;
  }

  /** __perf_event_overflow's event_limit: true when this overflow used up a REFRESH budget (the event then disables itself). */
  consumeLimit(e: number): boolean {
    const i = this.shm.ev(e) + EV.LIMIT;
    if (Atomics.load(this.shm.i32, i) <= 0) return false;
    if (Atomics.sub(this.shm.i32, i, 1) !== 1) return false; // RMW only: REFRESH adds concurrently
    this.locked((touch) => {
      touch(this.get32(e, EV.OWNER_SLOT));
      this.setEnabled(e, false);
    });
    return true;
  }

  // The lock was stolen from a dead owner: close every seqcount it left odd.
  #repair(): void {
    for (let s = 0; s < this.shm.maxTasks; s++) {
      const g = this.shm.taskBase(s) + TP.GEN;
      if ((Atomics.load(this.shm.i32, g) & 1) !== 0) {
        recomputeArmed(this, s);
        Atomics.add(this.shm.i32, g, 1); // publish: even again
      }
    }
  }

  #raw(e: number): number {
    const slot = this.get32(e, EV.OWNER_SLOT);
    switch (this.get32(e, EV.CONFIG)) {
      case PERF_COUNT_SW.CPU_CLOCK:
      case PERF_COUNT_SW.TASK_CLOCK:
        return clockNs();
      case PERF_COUNT_SW.CONTEXT_SWITCHES:
        return Atomics.load(this.shm.i32, this.shm.taskBase(slot) + TP.CTXSW);
      case PERF_COUNT_SW.CPU_MIGRATIONS:
        return this.#sw.migrations(slot);
      default:
        return 0; // page faults, dummy, …: never counted in a lab
    }
  }

  #freeListSlot(slot: number): number {
    const tb = this.shm.taskBase(slot) + TP.EVENTS;
    for (let i = 0; i < TASK_MAX_EVENTS; i++) if (this.shm.i32[tb + i] === 0) return i;
    return -1;
  }

  #freeRecord(): number {
    const n = this.shm.maxEvents;
    for (let k = 0; k < n; k++) {
      const e = (this.#hint + k) % n;
      if (this.get32(e, EV.STATE) === EvState.FREE) {
        this.#hint = (e + 1) % n;
        return e;
      }
    }
    return -1;
  }
}
