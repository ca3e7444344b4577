// Claim: the shared event table follows kernel/events/core.c in one thread: ENABLE/DISABLE/RESET
// and MODIFY_ATTRIBUTES reach inherited children (the group flag does not), REFRESH is EINVAL on
// inherit events, children fold their counts into the parent at exit, remove_on_exec drops only the
// exec'ing task's events, the fifth breakpoint is ENOSPC and inheritance that fails leaves nothing.
import { describe, expect, it } from 'vitest';
import {
  AttrFlag, CONTROL_PLANE, EV, EvState, HW_BREAKPOINT, PERF_EVENT_IOC, PERF_IOC_FLAG_GROUP, PERF_TYPE, PerfTable, TP,
  allocatePerf, checkAttr, execTaskEvents, exitTaskEvents, freshTask, inheritEvents, openEvent, perfIoctl, releaseEvent, type PerfEventAttr,
} from '../../src/perf/index.js';
import { KernelError } from '../../src/errno.js';

const attr = (extra: Partial<PerfEventAttr> = {}): PerfEventAttr => ({
  type: PERF_TYPE.BREAKPOINT, bp_type: HW_BREAKPOINT.RW, bp_addr: 0x10000, bp_len: 4, sample_period: 1,
  inherit: 1, inherit_thread: 1, remove_on_exec: 1, sigtrap: 1, exclude_kernel: 1, ...extra,
});

function setup() {
  const t = new PerfTable(allocatePerf(8, 64), CONTROL_PLANE, () => true, { migrations: () => 0 });
  for (let s = 0; s < 8; s++) freshTask(t, s, 100 + s);
  return t;
}
const armed = (t: PerfTable, slot: number): number => t.shm.i32[t.shm.taskBase(slot) + TP.ARMED]!;
const errno = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as KernelError).code;
  }
};

describe('perf event table', () => {
  it('ENABLE, DISABLE and RESET reach the children; PERF_IOC_FLAG_GROUP reaches the event alone', () => {
    const t = setup();
    const e = openEvent(t, checkAttr(attr({ disabled: 1 })), 100, 0, -1);
    inheritEvents(t, 0, 1, 101, { thread: true, clearSighand: false });
    inheritEvents(t, 1, 2, 102, { thread: true, clearSighand: false }); // a grandchild links to the original
    expect(t.childrenOf(e)).toHaveLength(2);
    expect([0, 1, 2].map((s) => armed(t, s))).toEqual([0, 0, 0]);
    perfIoctl(t, e, PERF_EVENT_IOC.ENABLE, 0);
    expect([0, 1, 2].map((s) => armed(t, s))).toEqual([1, 1, 1]);
    perfIoctl(t, e, PERF_EVENT_IOC.DISABLE, PERF_IOC_FLAG_GROUP);
    expect([0, 1, 2].map((s) => armed(t, s))).toEqual([0, 1, 1]);
    for (const c of t.childrenOf(e)) t.hit(c);
    expect(t.read(e)).toBe(2);
    perfIoctl(t, e, PERF_EVENT_IOC.RESET, 0);
    expect(t.read(e)).toBe(0);
  });

  it('children fold their counts into the parent when they exit; read() keeps them', () => {
    const t = setup();
    const e = openEvent(t, checkAttr(attr()), 100, 0, -1);
    inheritEvents(t, 0, 1, 101, { thread: true, clearSighand: false });
    const [c] = t.childrenOf(e);
    for (let i = 0; i < 5; i++) t.hit(c!);
    t.hit(e);
    exitTaskEvents(t, 1);
    expect(t.childrenOf(e)).toHaveLength(0);
    expect(t.read(e)).toBe(6);
    expect(armed(t, 1)).toBe(0);
  });

  it('inherit_thread skips forks, sigtrap skips CLONE_CLEAR_SIGHAND, plain inherit reaches both', () => {
    const t = setup();
    openEvent(t, checkAttr(attr()), 100, 0, -1); // inherit_thread + sigtrap
    openEvent(t, checkAttr(attr({ inherit_thread: 0, sigtrap: 0, remove_on_exec: 0, bp_addr: 0x10008 })), 100, 0, -1);
    openEvent(t, checkAttr(attr({ inherit_thread: 0, bp_addr: 0x10010 })), 100, 0, -1); // inherit + sigtrap
    expect(inheritEvents(t, 0, 1, 101, { thread: true, clearSighand: false })).toBe(3);
    expect(inheritEvents(t, 0, 2, 102, { thread: false, clearSighand: false })).toBe(2);
    expect(inheritEvents(t, 0, 3, 103, { thread: false, clearSighand: true })).toBe(1);
    expect(inheritEvents(t, 0, 4, 104, { thread: true, clearSighand: true })).toBe(1);
  });

  it('MODIFY_ATTRIBUTES moves every child and copies sig_data; other fields must match', () => {
    const t = setup();
    const e = openEvent(t, checkAttr(attr({ disabled: 1 })), 100, 0, -1);
    inheritEvents(t, 0, 1, 101, { thread: true, clearSighand: false });
    perfIoctl(t, e, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, attr({ bp_addr: 0x10020, sig_data: 42 }));
    for (const ev of [e, ...t.childrenOf(e)]) {
      expect(t.getF(ev, 0)).toBe(0x10020);
      expect(t.get64(ev, 0)).toBe(42n);
      expect(t.get32(ev, EV.ENABLED)).toBe(1);
    }
    expect(t.snapshot(1).bps[0]!.lo).toBe(0x10020);
    expect(errno(() => perfIoctl(t, e, PERF_EVENT_IOC.MODIFY_ATTRIBUTES, attr({ sample_period: 3 })))).toBe('EINVAL');
    expect(errno(() => perfIoctl(t, e, 'PERF_EVENT_IOC_MODIFY_ATTRIBUTES', { type: PERF_TYPE.SOFTWARE, exclude_kernel: 1 }))).toBe('EINVAL');
  });

  it('REFRESH is EINVAL on inherit events and counting events; it arms event_limit otherwise', () => {
    const t = setup();
    const inh = openEvent(t, checkAttr(attr()), 100, 0, -1);
    expect(errno(() => perfIoctl(t, inh, PERF_EVENT_IOC.REFRESH, 1))).toBe('EINVAL');
    const cnt = openEvent(t, checkAttr(attr({ inherit: 0, inherit_thread: 0, sample_period: 0, bp_addr: 0x10008 })), 100, 0, -1);
    expect(errno(() => perfIoctl(t, cnt, PERF_EVENT_IOC.REFRESH, 1))).toBe('EINVAL');
    const e = openEvent(t, checkAttr(attr({ inherit: 0, inherit_thread: 0, disabled: 1, bp_addr: 0x10010 })), 100, 0, -1);
    perfIoctl(t, e, PERF_EVENT_IOC.REFRESH, 2);
    expect(t.get32(e, EV.ENABLED)).toBe(1);
    expect(t.hit(e) && !t.consumeLimit(e)).toBe(true);
    expect(t.hit(e) && t.consumeLimit(e)).toBe(true); // the second overflow disables it
    expect(t.get32(e, EV.ENABLED)).toBe(0);
    expect(errno(() => perfIoctl(t, e, 0xdead, 0))).toBe('ENOTTY');
  });

  it('exec removes remove_on_exec events of that task only and starts enable_on_exec ones', () => {
    const t = setup();
    const e = openEvent(t, checkAttr(attr()), 100, 0, -1);
    inheritEvents(t, 0, 1, 101, { thread: true, clearSighand: false });
    const later = openEvent(t, checkAttr(attr({ sigtrap: 0, remove_on_exec: 0, enable_on_exec: 1, disabled: 1, bp_addr: 0x10008 })), 101, 1, -1);
    expect(execTaskEvents(t, 1)).toBe(1);
    expect(t.eventsOf(1)).toEqual([later]);
    expect(t.get32(later, EV.ENABLED)).toBe(1);
    expect(t.eventsOf(0)).toEqual([e]); // the parent keeps its event
    expect(execTaskEvents(t, 0)).toBe(1);
    expect(t.get32(e, EV.STATE)).toBe(EvState.EXITED); // still readable through its fd
  });

  it('the fifth breakpoint is ENOSPC; failed inheritance leaves the child with nothing', () => {
    const t = setup();
    for (let i = 0; i < 4; i++) openEvent(t, checkAttr(attr({ bp_addr: 0x10000 + 8 * i })), 100, 0, -1);
    expect(errno(() => openEvent(t, checkAttr(attr({ bp_addr: 0x10100 })), 100, 0, -1))).toBe('ENOSPC');
    // Fill the 64-record table but two, so the child's four copies run out halfway: ENOMEM.
    const sw = checkAttr({ type: PERF_TYPE.SOFTWARE, config: 9, exclude_kernel: 1 });
    for (let n = 4, s = 4; n < 62; s = s === 7 ? 4 : s + 1) for (let k = 0; k < 16 && n < 62; k++, n++) openEvent(t, sw, 100 + s, s, -1);
    expect(errno(() => inheritEvents(t, 0, 1, 101, { thread: true, clearSighand: false }))).toBe('ENOMEM');
    expect(t.eventsOf(1)).toEqual([]);
    expect(t.shm.i32[t.shm.taskBase(1) + TP.NBP]).toBe(0);
  });

  it('closing the last fd frees the event and its children', () => {
    const t = setup();
    const e = openEvent(t, checkAttr(attr()), 100, 0, -1);
    inheritEvents(t, 0, 1, 101, { thread: true, clearSighand: false });
    releaseEvent(t, e);
    expect(t.eventsOf(0)).toEqual([]);
    expect(t.eventsOf(1)).toEqual([]);
    expect(armed(t, 1)).toBe(0);
    let used = 0;
    for (let i = 0; i < 64; i++) if (t.get32(i, EV.STATE) !== EvState.FREE) used++;
    expect(used).toBe(0);
    expect(AttrFlag.SIGTRAP).toBeGreaterThan(0);
  });
});
