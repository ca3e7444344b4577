// perf fd operations on a top-level event (kernel/events/core.c _perf_ioctl, _perf_event_enable,
// _perf_event_disable, _perf_event_reset, _perf_event_refresh, perf_event_period,
// perf_event_modify_attr + perf_event_modify_breakpoint, perf_release). ENABLE, DISABLE, RESET
// and MODIFY_ATTRIBUTES reach the inherited children (perf_event_for_each_child); REFRESH and
// PERIOD touch the event alone. Any thread; each call takes the perf lock once.
import { kerr } from '../errno.js';
import { PERF_EVENT_IOC, PERF_IOC_FLAG_GROUP, PERF_TYPE } from './abi.js';
import { AttrFlag, checkAttr, type ValidAttr } from './attr.js';
import { EV, EV64, EVF, EvState } from './layout.js';
import type { PerfTable } from './table.js';
import type { PerfEventAttr } from './abi.js';

/** ioctl request names accepted besides the numbers. */
const BY_NAME: Record<string, number> = Object.fromEntries(Object.entries(PERF_EVENT_IOC).map(([k, v]) => [`PERF_EVENT_IOC_${k}`, v]));

/** The request number of a name or number; undefined when unknown. */
export function ioctlNumber(request: number | string): number | undefined {
  if (typeof request === 'number') return request >>> 0;
  return BY_NAME[request];
}

/** Apply `fn` to `e` and each of its children, touching every owner. */
function forEachChild(t: PerfTable, e: number, touch: (slot: number) => void, fn: (ev: number) => void): void {
  for (const ev of [e, ...t.childrenOf(e)]) {
    touch(t.get32(ev, EV.OWNER_SLOT));
    fn(ev);
  }
}

/** ioctl(fd, request, arg) on top-level event `e`; returns 0. */
export function perfIoctl(t: PerfTable, e: number, request: number | string, arg: unknown): number {
  const req = ioctlNumber(request);
  const flags = typeof arg === 'number' ? arg >>> 0 : 0;
  switch (req) {
    case PERF_EVENT_IOC.ENABLE:
    case PERF_EVENT_IOC.DISABLE:
    case PERF_EVENT_IOC.RESET: {
      // Events are never grouped here, so PERF_IOC_FLAG_GROUP (perf_event_for_each over the
      // leader's siblings) reaches the event alone; without it the children get it too.
      const on = req === PERF_EVENT_IOC.ENABLE;
      t.locked((touch) => {
        const apply = (ev: number): void => (req === PERF_EVENT_IOC.RESET ? t.resetOne(ev) : t.setEnabled(ev, on));
        if ((flags & PERF_IOC_FLAG_GROUP) !== 0) {
          touch(t.get32(e, EV.OWNER_SLOT));
          apply(e);
        } else forEachChild(t, e, touch, apply);
      });
      return 0;
    }
    case PERF_EVENT_IOC.REFRESH: {
      const n = typeof arg === 'number' ? arg : Number.NaN;
      if (!Number.isInteger(n)) throw kerr('EINVAL', 'ioctl', undefined, 'PERF_EVENT_IOC_REFRESH takes an integer count');
      t.locked((touch) => {
        if ((t.get32(e, EV.FLAGS) & AttrFlag.INHERIT) !== 0) throw kerr('EINVAL', 'ioctl', undefined, 'PERF_EVENT_IOC_REFRESH is not supported on inherit events');
        if (t.getF(e, EVF.PERIOD) <= 0) throw kerr('EINVAL', 'ioctl', undefined, 'PERF_EVENT_IOC_REFRESH needs a sampling event (sample_period > 0)');
        Atomics.add(t.shm.i32, t.shm.ev(e) + EV.LIMIT, n); // RMW only: the hit path subtracts
        touch(t.get32(e, EV.OWNER_SLOT));
        t.setEnabled(e, true);
      });
      return 0;
    }
    case PERF_EVENT_IOC.PERIOD: {
      const v = typeof arg === 'bigint' ? arg : typeof arg === 'number' && Number.isInteger(arg) && arg >= 0 ? BigInt(arg) : -1n;
      if (v < 0n) throw kerr('EFAULT', 'ioctl', undefined, 'PERF_EVENT_IOC_PERIOD takes a u64 period');
      t.locked((touch) => {
        if (t.getF(e, EVF.PERIOD) <= 0) throw kerr('EINVAL', 'ioctl', undefined, 'PERF_EVENT_IOC_PERIOD needs a sampling event');
        if (v === 0n || (v & (1n << 63n)) !== 0n) throw kerr('EINVAL', 'ioctl', undefined, 'the period must be 1..2^63-1');
        touch(t.get32(e, EV.OWNER_SLOT));
        t.setF(e, EVF.PERIOD, Number(v));
        t.setF(e, EVF.PERIOD_LEFT, Number(v));
      });
      return 0;
    }
    case PERF_EVENT_IOC.MODIFY_ATTRIBUTES: {
      const v = checkAttr(arg as PerfEventAttr, 'ioctl');
      t.locked((touch) => modifyAttr(t, e, v, touch));
      return 0;
    }
    case PERF_EVENT_IOC.ID:
      return e;
    case PERF_EVENT_IOC.SET_OUTPUT:
    case PERF_EVENT_IOC.SET_FILTER:
    case PERF_EVENT_IOC.SET_BPF:
    case PERF_EVENT_IOC.PAUSE_OUTPUT:
    case PERF_EVENT_IOC.QUERY_BPF:
      throw kerr('EOPNOTSUPP', 'ioctl', undefined, `perf ioctl 0x${req.toString(16)} needs a ring buffer or BPF, which lab perf fds do not have`);
    default:
      throw kerr('ENOTTY', 'ioctl', undefined, `unknown perf ioctl ${String(request)}`);
  }
}

// perf_event_modify_attr: same type, breakpoints only; sig_data is copied first (as upstream, even
// when the check below then fails); only bp_addr, bp_type, bp_len and disabled may differ.
function modifyAttr(t: PerfTable, e: number, v: ValidAttr, touch: (slot: number) => void): void {
  const type = t.get32(e, EV.TYPE);
  if (type !== v.type) throw kerr('EINVAL', 'ioctl', undefined, `MODIFY_ATTRIBUTES cannot change attr.type (${type} → ${v.type})`);
  if (type !== PERF_TYPE.BREAKPOINT) throw kerr('EOPNOTSUPP', 'ioctl', undefined, 'MODIFY_ATTRIBUTES supports breakpoint events only');
  const all = [e, ...t.childrenOf(e)];
  for (const ev of all) t.set64(ev, EV64.SIG_DATA, v.sigData);
  const same = t.get32(e, EV.SIZE) === v.size && t.get32(e, EV.CONFIG) === v.config && t.getF(e, EVF.PERIOD) === v.samplePeriod
    && (t.get32(e, EV.FLAGS) & ~AttrFlag.DISABLED) === (v.flags & ~AttrFlag.DISABLED);
  if (!same) throw kerr('EINVAL', 'ioctl', undefined, 'MODIFY_ATTRIBUTES may change only bp_addr, bp_type, bp_len, disabled and sig_data');
  const disabled = (v.flags & AttrFlag.DISABLED) !== 0;
  forEachChild(t, e, touch, (ev) => {
    t.setEnabled(ev, false);
    t.setF(ev, EVF.BP_ADDR, v.bpAddr);
    t.set32(ev, EV.BP_TYPE, v.bpType);
    t.set32(ev, EV.BP_LEN, v.bpLen);
    t.set32(ev, EV.FLAGS, (t.get32(ev, EV.FLAGS) & ~AttrFlag.DISABLED) | (v.flags & AttrFlag.DISABLED));
    if (!disabled) t.setEnabled(ev, true);
  });
}

/** A perf fd that referenced `e` was closed (perf_release): the last one frees it and its children. */
export function releaseEvent(t: PerfTable, e: number): void {
  t.locked((touch) => {
    const refs = t.get32(e, EV.REFS) - 1;
    t.set32(e, EV.REFS, refs);
    if (refs > 0) return;
    for (const c of t.childrenOf(e)) {
      touch(t.get32(c, EV.OWNER_SLOT));
      t.free(c);
    }
    if (t.get32(e, EV.STATE) === EvState.ACTIVE) touch(t.get32(e, EV.OWNER_SLOT));
    t.free(e);
  });
}

/** One more fd holds `e` (fork copied an fd table). */
export function holdEvent(t: PerfTable, e: number): void {
  t.locked(() => t.set32(e, EV.REFS, t.get32(e, EV.REFS) + 1));
}
