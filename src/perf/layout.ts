// The lab-wide perf region: one lock word, a per-task block (armed count, seqcount, event list,
// software counters) and the event table (struct perf_event, reduced). Allocated by the control
// plane, attached by every task worker. Mutations take the lock (src/perf/lock.ts); the hit path of
// the owning task reads its own block without it (seqcount GEN, see table.ts).
import { defineLayout, type Views } from '../shm/layout.js';

/** i32 words per task block. */
export const TASK_PERF_STRIDE = 32;
/** Events one task can have attached (its perf context); more is EMFILE. */
export const TASK_MAX_EVENTS = 16;

/*
 * Task block, at i32 index taskBase(slot):
 *
 * | off | type | written by                      | read by                 | meaning                                         |
 * |----:|------|---------------------------------|-------------------------|-------------------------------------------------|
 * |   0 | i32  | lock holder                     | the task (plain load)   | ARMED: enabled breakpoint events on this task   |
 * |   1 | i32  | lock holder (Atomics.add)       | the task                | GEN: seqcount, odd while its events change      |
 * |   2 | i32  | lock holder                     | lock holder             | NBP: breakpoint slots in use (HBP_NUM max)      |
 * |   3 | i32  | anyone (Atomics.add)            | readers of sw events    | CTXSW: context switches so far                  |
 * |   4 | i32  | lock holder                     | anyone                  | TID the block belongs to (0 = none)              |
 * |   5 | i32  | lock holder                     | the task (plain load)   | WLO: armed window start, heap offset rounded down to 8 |
 * |   6 | i32  | lock holder                     | the task (plain load)   | WHI: armed window end (heap offset); 0 = nothing armed |
 * |   7 | —    |                                 |                         | reserved                                        |
 * | 8-23| i32  | lock holder                     | the task, lock holder   | EVENTS: attached event ids + 1 (0 = empty)      |
 * |24-31| —    |                                 |                         | reserved                                        |
 */
export const TP = { ARMED: 0, GEN: 1, NBP: 2, CTXSW: 3, TID: 4, WLO: 5, WHI: 6, EVENTS: 8 } as const;

/*
 * The armed window [WLO, WHI) is ctx.mem's one check per access: the smallest range of heap offsets
 * (address − USER_BASE) that holds every enabled user breakpoint of the task, clamped to
 * [0, 2^30] (no heap is larger), its start rounded down to 8 so that an access of size ≤ 8
 * aligned to its size overlaps a breakpoint only if its offset is inside (no per-size edge).
 * [0, 0) when nothing is armed. The two words are stored one after the other without a seqcount:
 * a breakpoint enabled for the whole of an access lies inside every window published meanwhile,
 * so any WLO with any WHI read from them still holds it; only a breakpoint armed or disarmed while
 * the access runs may be missed or seen, which a racing ioctl may do anyway (the hit path
 * re-checks under GEN before counting).
 */

/** i32 words per event record. */
export const EV_I32 = 16;
/** i64 words per event record. */
export const EV_I64 = 4;
/** f64 words per event record. */
export const EV_F64 = 8;

/*
 * Event record `e`. i32 part at ev32 + e*EV_I32, i64 part at ev64 + e*EV_I64, f64 at evf64 + e*EV_F64.
 * Every field is written under the lock, except COUNT (the owning task's Atomics.add on a hit),
 * PERIOD_LEFT and LIMIT (the owning task on a hit).
 *
 * | field        | kind | meaning                                                              |
 * |--------------|------|----------------------------------------------------------------------|
 * | STATE        | i32  | EvState: FREE, ACTIVE (attached to OWNER), EXITED (readable only)    |
 * | OWNER_TID    | i32  | the task the event counts for (its ctx->task)                        |
 * | OWNER_SLOT   | i32  | that task's process-table slot                                       |
 * | PARENT       | i32  | top-level event id + 1 for an inherited child, else 0                |
 * | TYPE, CONFIG | i32  | attr.type, attr.config                                               |
 * | BP_TYPE, BP_LEN | i32 | breakpoint type and length                                        |
 * | FLAGS        | i32  | AttrFlag bits (attr.disabled is the attr's, not the state)           |
 * | ENABLED      | i32  | 1 when the event counts (state ACTIVE/INACTIVE vs OFF)               |
 * | CPU          | i32  | the cpu filter, -1 for any                                           |
 * | LIMIT        | i32  | event_limit (REFRESH): overflows left before the event disables       |
 * | REFS         | i32  | perf fds (across processes) that hold this top-level event           |
 * | SIZE         | i32  | attr.size as given                                                    |
 * | SIG_DATA     | i64  | attr.sig_data                                                         |
 * | COUNT        | i64  | hits (breakpoints)                                                    |
 * | CHILD_COUNT  | i64  | counts folded in from children that ended (sync_child_event)          |
 * | BP_ADDR      | f64  | watched address                                                       |
 * | PERIOD       | f64  | sample_period                                                         |
 * | PERIOD_LEFT  | f64  | hits left to the next overflow                                        |
 * | SW_BASE, SW_ACCUM | f64 | software events: raw counter at enable, count of past enabled spans |
 */
export const EV = {
  STATE: 0, OWNER_TID: 1, OWNER_SLOT: 2, PARENT: 3, TYPE: 4, CONFIG: 5, BP_TYPE: 6, BP_LEN: 7,
  FLAGS: 8, ENABLED: 9, CPU: 10, LIMIT: 11, REFS: 12, SIZE: 13,
} as const;
export const EV64 = { SIG_DATA: 0, COUNT: 1, CHILD_COUNT: 2 } as const;
export const EVF = { BP_ADDR: 0, PERIOD: 1, PERIOD_LEFT: 2, SW_BASE: 3, SW_ACCUM: 4 } as const;

/** Event states. */
export const EvState = { FREE: 0, ACTIVE: 1, EXITED: 2 } as const;

/** The region for `maxTasks` task blocks and `maxEvents` events. */
export function perfLayout(maxTasks: number, maxEvents: number) {
  return defineLayout('perf', 0x50455246 /* 'PERF' */, 1, {
    params: { kind: 'i32', count: 2 }, // [maxTasks, maxEvents]
    lock: { kind: 'i32', count: 2 }, // [owner id, 0]; see lock.ts
    tasks: { kind: 'i32', count: maxTasks * TASK_PERF_STRIDE },
    ev32: { kind: 'i32', count: maxEvents * EV_I32 },
    ev64: { kind: 'i64', count: maxEvents * EV_I64 },
    evf64: { kind: 'f64', count: maxEvents * EV_F64 },
  });
}

/** Attached perf region with its bases precomputed. */
export interface PerfShm {
  readonly views: Views;
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  readonly f64: Float64Array;
  readonly maxTasks: number;
  readonly maxEvents: number;
  readonly lockIndex: number;
  taskBase(slot: number): number;
  ev(e: number): number;
  ev64(e: number): number;
  evf(e: number): number;
}

function wrap(views: Views, maxTasks: number, maxEvents: number): PerfShm {
  const L = perfLayout(maxTasks, maxEvents);
  const { tasks, ev32, ev64, evf64, lock } = L.index;
  return {
    views,
    i32: views.i32,
    i64: views.i64,
    f64: views.f64,
    maxTasks,
    maxEvents,
    lockIndex: lock,
    taskBase: (slot) => tasks + slot * TASK_PERF_STRIDE,
    ev: (e) => ev32 + e * EV_I32,
    ev64: (e) => ev64 + e * EV_I64,
    evf: (e) => evf64 + e * EV_F64,
  };
}

/** Allocate the perf region (control plane). */
export function allocatePerf(maxTasks: number, maxEvents: number): PerfShm {
  const L = perfLayout(maxTasks, maxEvents);
  const views = L.allocate();
  views.i32[L.index.params] = maxTasks;
  views.i32[L.index.params + 1] = maxEvents;
  return wrap(views, maxTasks, maxEvents);
}

/** Attach the perf region in any thread. */
export function attachPerf(sab: SharedArrayBuffer): PerfShm {
  const p = new Int32Array(sab, 0, 4);
  const maxTasks = p[2]!;
  const maxEvents = p[3]!;
  return wrap(perfLayout(maxTasks, maxEvents).attach(sab), maxTasks, maxEvents);
}
