// The perf ABI: include/uapi/linux/perf_event.h and hw_breakpoint.h constants, the attr shape a
// task passes to perf_event_open, and the siginfo codes of a perf SIGTRAP (asm-generic/siginfo.h).
// Pure; any thread. Numbers are the kernel's, so programs ported from C keep their literals.

/** perf_type_id. */
export const PERF_TYPE = { HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2, HW_CACHE: 3, RAW: 4, BREAKPOINT: 5 } as const;
/** PERF_TYPE_MAX: types at or above it name dynamic PMUs (none exist in a lab). */
export const PERF_TYPE_MAX = 6;

/** perf_sw_ids (attr.config of PERF_TYPE_SOFTWARE). */
export const PERF_COUNT_SW = {
  CPU_CLOCK: 0,
  TASK_CLOCK: 1,
  PAGE_FAULTS: 2,
  CONTEXT_SWITCHES: 3,
  CPU_MIGRATIONS: 4,
  PAGE_FAULTS_MIN: 5,
  PAGE_FAULTS_MAJ: 6,
  ALIGNMENT_FAULTS: 7,
  EMULATION_FAULTS: 8,
  DUMMY: 9,
  BPF_OUTPUT: 10,
  CGROUP_SWITCHES: 11,
  MAX: 12,
} as const;

/** HW_BREAKPOINT_* types (attr.bp_type). */
export const HW_BREAKPOINT = { EMPTY: 0, R: 1, W: 2, RW: 3, X: 4 } as const;
/** HW_BREAKPOINT_LEN_* (attr.bp_len): the lengths a debug register can watch. */
export const HW_BREAKPOINT_LEN = { 1: 1, 2: 2, 4: 4, 8: 8 } as const;
/** Breakpoint slots per task (x86 has four debug address registers): the fifth is ENOSPC. */
export const HBP_NUM = 4;

const IOC = (dir: number, nr: number, size: number): number => ((dir << 30) | (size << 16) | (0x24 << 8) | nr) >>> 0;
/** PERF_EVENT_IOC_* request numbers (x86-64 encodings of the _IO/_IOW macros with '$'). */
export const PERF_EVENT_IOC = {
  ENABLE: IOC(0, 0, 0),
  DISABLE: IOC(0, 1, 0),
  REFRESH: IOC(0, 2, 0),
  RESET: IOC(0, 3, 0),
  PERIOD: IOC(1, 4, 8),
  SET_OUTPUT: IOC(0, 5, 0),
  SET_FILTER: IOC(1, 6, 8),
  ID: IOC(2, 7, 8),
  SET_BPF: IOC(1, 8, 4),
  PAUSE_OUTPUT: IOC(1, 9, 4),
  QUERY_BPF: IOC(3, 10, 8),
  MODIFY_ATTRIBUTES: IOC(1, 11, 8),
} as const;
/** ioctl arg flag: apply to the whole group instead of the event and its children. */
export const PERF_IOC_FLAG_GROUP = 1;

/** perf_event_open flags. */
export const PERF_FLAG = { FD_NO_GROUP: 1, FD_OUTPUT: 2, PID_CGROUP: 4, FD_CLOEXEC: 8 } as const;
export const PERF_FLAG_ALL = 0xf;

/** PERF_ATTR_SIZE_VER0..VER8; VER8 is sizeof(struct perf_event_attr) in this build. */
export const PERF_ATTR_SIZE = { VER0: 64, VER1: 72, VER2: 80, VER3: 96, VER4: 104, VER5: 112, VER6: 120, VER7: 128, VER8: 136 } as const;
export const PERF_ATTR_SIZE_CURRENT = PERF_ATTR_SIZE.VER8;
/** copy_struct_from_user refuses sizes above a page. */
export const PAGE_SIZE = 4096;

/** Signal numbers and si_codes a perf event or a memory fault sends. */
export const SIGTRAP = 5;
export const SIGBUS = 7;
export const SIGSEGV = 11;
/** si_code of a perf event's SIGTRAP. */
export const TRAP_PERF = 6;
/** si_perf_flags bit: the signal was queued because SIGTRAP was blocked (since v5.19). */
export const TRAP_PERF_FLAG_ASYNC = 1;
/** si_code of SIGSEGV for an address outside every allocation. */
export const SEGV_MAPERR = 1;
/** si_code of SIGBUS for a misaligned access. */
export const BUS_ADRALN = 1;

/** First address user allocations get; below it is the unmapped NULL page range. */
export const USER_BASE = 0x10000;
/** TASK_SIZE of the simulated address space (x86-64's 47-bit user half). */
export const TASK_SIZE = 2 ** 47;

/** A u64 attr field: a number (exact up to 2^53) or a bigint. */
export type U64 = number | bigint;

/**
 * struct perf_event_attr as a task passes it. Absent fields are 0, as in a zeroed C struct.
 * Fields past `size` are ignored, as perf_copy_attr ignores bytes past the user's size.
 * Any other key is a nonzero byte the kernel does not know: E2BIG.
 */
export interface PerfEventAttr {
  /** PERF_TYPE_*. */
  readonly type: number;
  /** sizeof the caller's struct. @default PERF_ATTR_SIZE_CURRENT (0 means VER0, as upstream) */
  readonly size?: number;
  /** Software event id, or unused for breakpoints. @default 0 */
  readonly config?: U64;
  /** Overflow every N events; 0 = count only. Bit 63 set is EINVAL. @default 0 */
  readonly sample_period?: U64;
  readonly disabled?: boolean | number;
  readonly inherit?: boolean | number;
  readonly inherit_thread?: boolean | number;
  readonly remove_on_exec?: boolean | number;
  readonly enable_on_exec?: boolean | number;
  readonly sigtrap?: boolean | number;
  readonly exclude_kernel?: boolean | number;
  readonly exclude_hv?: boolean | number;
  readonly exclude_user?: boolean | number;
  /** HW_BREAKPOINT_R/W/RW/X. */
  readonly bp_type?: number;
  /** The watched address (union with config1). */
  readonly bp_addr?: U64;
  /** 1, 2, 4 or 8 bytes (union with config2); X needs sizeof(long) = 8. */
  readonly bp_len?: U64;
  readonly config1?: U64;
  readonly config2?: U64;
  /** Copied to si_perf_data of each SIGTRAP. */
  readonly sig_data?: U64;
  /** Wake-up events (accepted; no ring buffer is attached to perf fds). @default 0 */
  readonly wakeup_events?: number;
}

/** Byte offset of each attr field in the C struct, for the size rule. */
export const ATTR_OFFSET: Readonly<Record<keyof PerfEventAttr, number>> = {
  type: 0,
  size: 4,
  config: 8,
  sample_period: 16,
  disabled: 40,
  inherit: 40,
  inherit_thread: 40,
  remove_on_exec: 40,
  enable_on_exec: 40,
  sigtrap: 40,
  exclude_kernel: 40,
  exclude_hv: 40,
  exclude_user: 40,
  wakeup_events: 48,
  bp_type: 52,
  bp_addr: 56,
  config1: 56,
  bp_len: 64,
  config2: 64,
  sig_data: 120,
};

/** A perf file descriptor (perf fds are numbered from PERF_FD_BASE, apart from tracefs fds). */
export type PerfFd = number & { readonly __perfFd: unique symbol };
/** First perf fd number; perf fds live in the process's own table in shared memory. */
export const PERF_FD_BASE = 512;
/** Perf fds per process. */
export const PERF_FDS = 256;
