// One task's breakpoints as its hit path sees them (kernel/events/hw_breakpoint.c, reduced): a
// lock-free snapshot of its enabled breakpoints under the task's GEN seqcount, and the ARMED count
// plus the [WLO, WHI) window that ctx.mem checks first. The snapshot runs in the owning task's worker
// without the lock; the recompute runs under the perf lock (PerfTable.locked and its repair).
import { PERF_TYPE, USER_BASE } from './abi.js';
import { AttrFlag } from './attr.js';
import { EV, EVF, TP } from './layout.js';
import type { PerfTable } from './table.js';

/** No heap offset reaches this (mm.ts caps a heap at 1 GiB): the armed window is clamped to it. */
const WINDOW_MAX = 2 ** 30;

/** A breakpoint as the owning task's hit path caches it. */
export interface BpEntry {
  readonly e: number;
  readonly lo: number;
  readonly hi: number;
  readonly bpType: number;
  readonly cpu: number;
}

/** Enabled breakpoints of the task in `slot`, read lock-free under its GEN seqcount. */
export function snapshotBps(table: PerfTable, slot: number): { gen: number; bps: BpEntry[] } {
  const i32 = table.shm.i32;
  const genIndex = table.shm.taskBase(slot) + TP.GEN;
  for (let tries = 1; ; tries++) {
    const g1 = Atomics.load(i32, genIndex); // acquire: the writer's closing add
    if ((g1 & 1) === 0) {
      const bps: BpEntry[] = [];
      for (const e of table.eventsOf(slot)) {
        if (table.get32(e, EV.TYPE) !== PERF_TYPE.BREAKPOINT || table.get32(e, EV.ENABLED) !== 1) continue;
        if ((table.get32(e, EV.FLAGS) & AttrFlag.EXCLUDE_USER) !== 0) continue;
        const lo = table.getF(e, EVF.BP_ADDR);
        bps.push({ e, lo, hi: lo + table.get32(e, EV.BP_LEN), bpType: table.get32(e, EV.BP_TYPE), cpu: table.get32(e, EV.CPU) });
      }
      if (Atomics.load(i32, genIndex) === g1) return { gen: g1, bps };
    }
    if (tries % 100_000 === 0) table.locked(() => undefined); // a dead writer's odd GEN is repaired by the lock's steal
  }
}

/**
 * Store ARMED = enabled breakpoints the task can hit, and the window [WLO, WHI) around them that
 * ctx.mem checks (lock held; layout.ts says why two plain words suffice).
 */
export function recomputeArmed(table: PerfTable, slot: number): void {
  let armed = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of table.eventsOf(slot)) {
    if (table.get32(e, EV.TYPE) !== PERF_TYPE.BREAKPOINT || table.get32(e, EV.ENABLED) !== 1 || (table.get32(e, EV.FLAGS) & AttrFlag.EXCLUDE_USER) !== 0) continue;
    armed++;
    const a = table.getF(e, EVF.BP_ADDR) - USER_BASE; // as a heap offset
    const end = a + table.get32(e, EV.BP_LEN);
    if (end <= 0 || a >= WINDOW_MAX) continue; // outside every heap: no ctx.mem access can hit it
    lo = Math.min(lo, Math.max(0, Math.floor(a / 8) * 8));
    hi = Math.max(hi, Math.min(WINDOW_MAX, end));
  }
  const tb = table.shm.taskBase(slot);
  Atomics.store(table.shm.i32, tb + TP.ARMED, armed); // publish (stale-ok for the task: GEN decides)
  Atomics.store(table.shm.i32, tb + TP.WLO, hi > lo ? lo : 0); // publish: either order is safe (layout.ts)
  Atomics.store(table.shm.i32, tb + TP.WHI, hi > lo ? hi : 0); // publish
}
