// Event lifetime across task lifecycle edges (kernel/events/core.c): perf_event_open's install,
// perf_event_init_task/inherit_event at clone (inherit, inherit_thread, no sigtrap into a
// CLONE_CLEAR_SIGHAND child), perf_event_exit_task at exit (children fold their counts into the
// parent), perf_event_exec at exec (remove_on_exec, enable_on_exec: this task only).
// Any thread: open/exec in the task's worker, inherit/exit in the control plane. Takes the lock.
import { kerr } from '../errno.js';
import { AttrFlag, type ValidAttr } from './attr.js';
import { EV, EV64, EVF, EvState, TP } from './layout.js';
import type { PerfTable } from './table.js';

/** Install a new top-level event on task (`tid`, `slot`); returns its id. Nothing is left behind on error. */
export function openEvent(t: PerfTable, v: ValidAttr, tid: number, slot: number, cpu: number): number {
  return t.locked((touch) => {
    const i32 = t.shm.i32;
    if (Atomics.load(i32, t.shm.taskBase(slot) + TP.TID) !== tid) {
      // First event of this task: claim its block (the control plane resets it at exit).
      touch(slot);
      Atomics.store(i32, t.shm.taskBase(slot) + TP.TID, tid);
    }
    const e = t.create(v, tid, slot, cpu, undefined, (v.flags & AttrFlag.DISABLED) === 0, touch);
    t.set32(e, EV.REFS, 1);
    return e;
  });
}

/** How a child was cloned. */
export interface CloneKind {
  /** CLONE_THREAD. */
  readonly thread: boolean;
  /** CLONE_CLEAR_SIGHAND. */
  readonly clearSighand: boolean;
}

/** Copy the parent's inheritable events to a new child; returns how many. ENOSPC/EMFILE/ENOMEM undo them all. */
export function inheritEvents(t: PerfTable, parentSlot: number, childSlot: number, childTid: number, kind: CloneKind): number {
  return t.locked((touch) => {
    resetBlock(t, childSlot, childTid, touch);
    let n = 0;
    try {
      for (const pe of t.eventsOf(parentSlot)) {
        if (t.get32(pe, EV.STATE) !== EvState.ACTIVE) continue;
        const flags = t.get32(pe, EV.FLAGS);
        if ((flags & AttrFlag.INHERIT) === 0) continue;
        if ((flags & AttrFlag.INHERIT_THREAD) !== 0 && !kind.thread) continue;
        if ((flags & AttrFlag.SIGTRAP) !== 0 && kind.clearSighand) continue;
        // inherit_event links every generation to the original event and copies its attr and state.
        const top = t.get32(pe, EV.PARENT) > 0 ? t.get32(pe, EV.PARENT) - 1 : pe;
        const v = attrOf(t, top);
        const on = t.get32(top, EV.STATE) === EvState.ACTIVE && t.get32(top, EV.ENABLED) === 1; // an exited parent gives OFF children
        t.create(v, childTid, childSlot, t.get32(top, EV.CPU), top, on, touch);
        n++;
      }
    } catch (err) {
      for (const e of t.eventsOf(childSlot)) t.free(e);
      throw err;
    }
    return n;
  });
}

/** perf_event_exit_task: detach every event of the task; children fold into their parents. */
export function exitTaskEvents(t: PerfTable, slot: number): void {
  t.locked((touch) => {
    touch(slot);
    for (const e of t.eventsOf(slot)) {
      if (t.get32(e, EV.PARENT) > 0) t.foldAndFree(e);
      else t.detach(e); // EXITED: still readable through its fds
    }
    Atomics.store(t.shm.i32, t.shm.taskBase(slot) + TP.TID, 0);
    Atomics.store(t.shm.i32, t.shm.taskBase(slot) + TP.NBP, 0);
  });
}

/** perf_event_exec for the calling task: remove_on_exec events go, enable_on_exec events start. Returns how many were removed. */
export function execTaskEvents(t: PerfTable, slot: number): number {
  return t.locked((touch) => {
    touch(slot);
    let removed = 0;
    for (const e of t.eventsOf(slot)) {
      const flags = t.get32(e, EV.FLAGS);
      if ((flags & AttrFlag.REMOVE_ON_EXEC) !== 0) {
        if (t.get32(e, EV.PARENT) > 0) t.foldAndFree(e);
        else t.detach(e);
        removed++;
      } else if ((flags & AttrFlag.ENABLE_ON_EXEC) !== 0) {
        t.setEnabled(e, true);
      }
    }
    return removed;
  });
}

/** Forget whatever a previous task left in a slot's block and claim it for `tid` (lock held). */
function resetBlock(t: PerfTable, slot: number, tid: number, touch: (slot: number) => void): void {
  touch(slot);
  for (const e of t.eventsOf(slot)) t.free(e);
  const tb = t.shm.taskBase(slot);
  Atomics.store(t.shm.i32, tb + TP.NBP, 0);
  Atomics.store(t.shm.i32, tb + TP.CTXSW, 0);
  Atomics.store(t.shm.i32, tb + TP.TID, tid);
}

/** Reset the block of a task that starts with no parent (spawn). */
export function freshTask(t: PerfTable, slot: number, tid: number): void {
  t.locked((touch) => resetBlock(t, slot, tid, touch));
}

// The attr an event was opened with, as inherit_event copies it.
function attrOf(t: PerfTable, e: number): ValidAttr {
  return {
    type: t.get32(e, EV.TYPE),
    size: t.get32(e, EV.SIZE),
    config: t.get32(e, EV.CONFIG),
    samplePeriod: t.getF(e, EVF.PERIOD),
    flags: t.get32(e, EV.FLAGS),
    bpType: t.get32(e, EV.BP_TYPE),
    bpAddr: t.getF(e, EVF.BP_ADDR),
    bpLen: t.get32(e, EV.BP_LEN),
    sigData: t.get64(e, EV64.SIG_DATA),
  };
}

/** Throw ESRCH unless `ok`. */
export function checkTarget(ok: boolean, pid: number): void {
  if (!ok) throw kerr('ESRCH', 'perf_event_open', undefined, `no task with pid ${pid}`);
}
