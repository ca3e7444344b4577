// perf_event_attr validation, in upstream order: kernel/events/core.c perf_copy_attr (size,
// inherit_thread, remove_on_exec vs enable_on_exec, sigtrap needs remove_on_exec), the
// sys_perf_event_open checks (exclude_kernel under perf_event_paranoid 2, sample_period bit 63),
// and the PMU init of each type (perf_swevent_init, hw_breakpoint_parse / x86 arch_build_bp_info).
// Pure; any thread. Throws KernelError with the kernel's errno.
import { kerr } from '../errno.js';
import {
  ATTR_OFFSET, HW_BREAKPOINT, PAGE_SIZE, PERF_ATTR_SIZE, PERF_ATTR_SIZE_CURRENT, PERF_COUNT_SW, PERF_TYPE, PERF_TYPE_MAX, TASK_SIZE,
  type PerfEventAttr, type U64,
} from './abi.js';

/** Attr flag bits as the event table stores them. */
export const AttrFlag = {
  DISABLED: 1 << 0,
  INHERIT: 1 << 1,
  INHERIT_THREAD: 1 << 2,
  REMOVE_ON_EXEC: 1 << 3,
  ENABLE_ON_EXEC: 1 << 4,
  SIGTRAP: 1 << 5,
  EXCLUDE_KERNEL: 1 << 6,
  EXCLUDE_HV: 1 << 7,
  EXCLUDE_USER: 1 << 8,
} as const;

/** A validated attr: numbers where the table stores numbers, sig_data as a u64 bigint. */
export interface ValidAttr {
  readonly type: number;
  readonly size: number;
  readonly config: number;
  readonly samplePeriod: number;
  readonly flags: number;
  readonly bpType: number;
  readonly bpAddr: number;
  readonly bpLen: number;
  readonly sigData: bigint;
}

const U64_MASK = (1n << 64n) - 1n;
const KNOWN = new Set(Object.keys(ATTR_OFFSET));

function u64(v: U64 | undefined, what: string, syscall: string): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'bigint') return v & U64_MASK;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw kerr('EINVAL', syscall, undefined, `${what} must be an integer or a bigint, got ${String(v)}`);
  return BigInt(v) & U64_MASK;
}

function bit(v: boolean | number | undefined): boolean {
  return v === true || (typeof v === 'number' && v !== 0);
}

/** perf_copy_attr plus the open-time and PMU checks. `syscall` names the caller in errors. */
export function checkAttr(attr: PerfEventAttr, syscall = 'perf_event_open'): ValidAttr {
  if (typeof attr !== 'object' || attr === null) throw kerr('EFAULT', syscall, undefined, 'attr must be an object');
  // perf_copy_attr: size 0 means VER0; below VER0 or above a page is E2BIG.
  let size = attr.size ?? PERF_ATTR_SIZE_CURRENT;
  if (size === 0) size = PERF_ATTR_SIZE.VER0;
  if (!Number.isInteger(size) || size < PERF_ATTR_SIZE.VER0 || size > PAGE_SIZE) {
    throw kerr('E2BIG', syscall, undefined, `attr.size ${String(attr.size)} is outside ${PERF_ATTR_SIZE.VER0}..${PAGE_SIZE} (this kernel's size is ${PERF_ATTR_SIZE_CURRENT})`);
  }
  // copy_struct_from_user: a byte the kernel does not know must be zero. An unknown key is such a byte.
  for (const k of Object.keys(attr)) {
    if (!KNOWN.has(k) && (attr as unknown as Record<string, unknown>)[k] !== undefined && (attr as unknown as Record<string, unknown>)[k] !== 0) {
      throw kerr('E2BIG', syscall, undefined, `attr.${k} is not a perf_event_attr field of this kernel`);
    }
  }
  // Fields past the caller's size read as zero.
  const get = <K extends keyof PerfEventAttr>(k: K): PerfEventAttr[K] | undefined => (ATTR_OFFSET[k] < size ? attr[k] : undefined);
  const type = get('type') ?? 0;
  if (!Number.isInteger(type) || type < 0 || type > 0xffffffff) throw kerr('EINVAL', syscall, undefined, `attr.type must be a u32, got ${String(type)}`);

  let flags = 0;
  if (bit(get('disabled'))) flags |= AttrFlag.DISABLED;
  if (bit(get('inherit'))) flags |= AttrFlag.INHERIT;
  if (bit(get('inherit_thread'))) flags |= AttrFlag.INHERIT_THREAD;
  if (bit(get('remove_on_exec'))) flags |= AttrFlag.REMOVE_ON_EXEC;
  if (bit(get('enable_on_exec'))) flags |= AttrFlag.ENABLE_ON_EXEC;
  if (bit(get('sigtrap'))) flags |= AttrFlag.SIGTRAP;
  if (bit(get('exclude_kernel'))) flags |= AttrFlag.EXCLUDE_KERNEL;
  if (bit(get('exclude_hv'))) flags |= AttrFlag.EXCLUDE_HV;
  if (bit(get('exclude_user'))) flags |= AttrFlag.EXCLUDE_USER;

  if ((flags & AttrFlag.INHERIT_THREAD) !== 0 && (flags & AttrFlag.INHERIT) === 0) {
    throw kerr('EINVAL', syscall, undefined, 'inherit_thread needs inherit');
  }
  if ((flags & AttrFlag.REMOVE_ON_EXEC) !== 0 && (flags & AttrFlag.ENABLE_ON_EXEC) !== 0) {
    throw kerr('EINVAL', syscall, undefined, 'remove_on_exec and enable_on_exec exclude each other');
  }
  if ((flags & AttrFlag.SIGTRAP) !== 0 && (flags & AttrFlag.REMOVE_ON_EXEC) === 0) {
    throw kerr('EINVAL', syscall, undefined, 'sigtrap needs remove_on_exec');
  }
  // sys_perf_event_open: counting kernel code needs CAP_PERFMON at perf_event_paranoid 2.
  if ((flags & AttrFlag.EXCLUDE_KERNEL) === 0) {
    throw kerr('EACCES', syscall, undefined, 'perf_event_paranoid is 2 and tasks are unprivileged: set exclude_kernel');
  }
  const period = u64(get('sample_period'), 'attr.sample_period', syscall);
  if ((period & (1n << 63n)) !== 0n) throw kerr('EINVAL', syscall, undefined, 'attr.sample_period has bit 63 set');
  const wakeup = get('wakeup_events') ?? 0;
  if (!Number.isInteger(wakeup) || wakeup < 0 || wakeup > 0xffffffff) throw kerr('EINVAL', syscall, undefined, 'attr.wakeup_events must be a u32');

  const config = u64(get('config'), 'attr.config', syscall);
  const bpAddr = u64(get('bp_addr') ?? get('config1'), 'attr.bp_addr', syscall);
  const bpLen = u64(get('bp_len') ?? get('config2'), 'attr.bp_len', syscall);
  const bpType = get('bp_type') ?? 0;
  const sigData = u64(get('sig_data'), 'attr.sig_data', syscall);
  const base = { type, size, samplePeriod: Number(period), flags, sigData };

  switch (type) {
    case PERF_TYPE.SOFTWARE:
      // perf_swevent_init (cpu-clock and task-clock have PMUs of their own, same ids).
      if (config >= BigInt(PERF_COUNT_SW.MAX)) throw kerr('ENOENT', syscall, undefined, `software event ${config} does not exist (0..${PERF_COUNT_SW.MAX - 1})`);
      return { ...base, config: Number(config), bpType: 0, bpAddr: 0, bpLen: 0 };
    case PERF_TYPE.BREAKPOINT: {
      const b = checkBreakpoint(bpType, bpAddr, bpLen, flags, syscall);
      return { ...base, config: 0, ...b };
    }
    case PERF_TYPE.HARDWARE:
    case PERF_TYPE.HW_CACHE:
    case PERF_TYPE.RAW:
    case PERF_TYPE.TRACEPOINT:
      throw kerr('ENOENT', syscall, undefined, `no PMU for type ${type} in the lab (software ${PERF_TYPE.SOFTWARE} and breakpoint ${PERF_TYPE.BREAKPOINT} exist)`);
    default:
      throw kerr('ENOENT', syscall, undefined, `no PMU has type ${type} (dynamic PMUs start at ${PERF_TYPE_MAX}; none are registered)`);
  }
}

/** hw_breakpoint_parse: type, length, alignment, user-space address. */
export function checkBreakpoint(bpType: number, addr: bigint, len: bigint, flags: number, syscall: string): { bpType: number; bpAddr: number; bpLen: number } {
  const t = bpType;
  if (t === HW_BREAKPOINT.X) {
    // x86 instruction breakpoints take exactly sizeof(long).
    if (len !== 8n) throw kerr('EINVAL', syscall, undefined, `an X breakpoint needs bp_len 8 (sizeof(long)), got ${len}`);
  } else if (t !== HW_BREAKPOINT.R && t !== HW_BREAKPOINT.W && t !== HW_BREAKPOINT.RW) {
    throw kerr('EINVAL', syscall, undefined, `bp_type must be HW_BREAKPOINT_R (1), W (2), RW (3) or X (4), got ${String(bpType)}`);
  } else if (len !== 1n && len !== 2n && len !== 4n && len !== 8n) {
    // x86 without BPEXT: a non-power-of-2 length is EINVAL, a larger power of 2 needs range breakpoints.
    if (len !== 0n && (len & (len - 1n)) === 0n) throw kerr('EOPNOTSUPP', syscall, undefined, `bp_len ${len} needs range breakpoints (AMD BPEXT), which this CPU lacks; use 1, 2, 4 or 8`);
    throw kerr('EINVAL', syscall, undefined, `bp_len must be 1, 2, 4 or 8, got ${len}`);
  }
  if ((addr & (len - 1n)) !== 0n) throw kerr('EINVAL', syscall, undefined, `bp_addr 0x${addr.toString(16)} is not aligned to bp_len ${len}`);
  if (addr + len > BigInt(TASK_SIZE)) {
    // arch_check_bp_in_kernelspace: with exclude_kernel that is EINVAL (exclude_kernel is always set here).
    throw kerr('EINVAL', syscall, undefined, `bp_addr 0x${addr.toString(16)} is in kernel space`);
  }
  void flags;
  return { bpType: t, bpAddr: Number(addr), bpLen: Number(len) };
}
