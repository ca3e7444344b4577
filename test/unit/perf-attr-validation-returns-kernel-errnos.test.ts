// Claim: checkAttr follows perf_copy_attr, sys_perf_event_open and the PMU init of each type:
// each rejected combination gets the kernel's errno, and accepted attrs normalise as upstream
// (size 0 = VER0, fields past `size` read as zero, u64 fields wrap).
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errno.js';
import { HW_BREAKPOINT, PERF_COUNT_SW, PERF_TYPE, checkAttr, type PerfEventAttr } from '../../src/perf/index.js';

const bp: PerfEventAttr = {
  type: PERF_TYPE.BREAKPOINT, bp_type: HW_BREAKPOINT.RW, bp_addr: 0x10008, bp_len: 8, sample_period: 1,
  inherit: 1, inherit_thread: 1, remove_on_exec: 1, sigtrap: 1, sig_data: 7, exclude_kernel: 1,
};

function code(attr: PerfEventAttr): string {
  try {
    checkAttr(attr);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(KernelError);
    expect((e as KernelError).message).toMatch(/^perf_event_open E[A-Z0-9]+ — /);
    return (e as KernelError).code;
  }
}

describe('perf_event_attr validation', () => {
  it.each([
    ['inherit_thread without inherit', { ...bp, inherit: 0 }, 'EINVAL'],
    ['remove_on_exec with enable_on_exec', { ...bp, enable_on_exec: 1 }, 'EINVAL'],
    ['sigtrap without remove_on_exec', { ...bp, remove_on_exec: 0 }, 'EINVAL'],
    ['exclude_kernel unset (paranoid 2)', { ...bp, exclude_kernel: 0 }, 'EACCES'],
    ['sample_period with bit 63', { ...bp, sample_period: 1n << 63n }, 'EINVAL'],
    ['size below VER0', { ...bp, size: 63 }, 'E2BIG'],
    ['size above a page', { ...bp, size: 4097 }, 'E2BIG'],
    ['an unknown nonzero field', { ...bp, precise_ip: 2 } as unknown as PerfEventAttr, 'E2BIG'],
    ['size VER0 cuts bp_len off', { ...bp, size: 64 }, 'EINVAL'],
    ['unknown type', { ...bp, type: 42 }, 'ENOENT'],
    ['hardware type (no PMU)', { ...bp, type: PERF_TYPE.HARDWARE }, 'ENOENT'],
    ['tracepoint type', { ...bp, type: PERF_TYPE.TRACEPOINT }, 'ENOENT'],
    ['software id past MAX', { type: PERF_TYPE.SOFTWARE, config: PERF_COUNT_SW.MAX, exclude_kernel: 1 }, 'ENOENT'],
    ['bp_type EMPTY', { ...bp, bp_type: 0 }, 'EINVAL'],
    ['bp_type 6 (W|X)', { ...bp, bp_type: 6 }, 'EINVAL'],
    ['bp_len 0', { ...bp, bp_len: 0 }, 'EINVAL'],
    ['bp_len 3', { ...bp, bp_len: 3 }, 'EINVAL'],
    ['bp_len 16 (range bp)', { ...bp, bp_len: 16, bp_addr: 0x10010 }, 'EOPNOTSUPP'],
    ['X with bp_len 4', { ...bp, bp_type: HW_BREAKPOINT.X, bp_len: 4 }, 'EINVAL'],
    ['bp_addr misaligned for bp_len', { ...bp, bp_addr: 0x10004 }, 'EINVAL'],
    ['bp_addr in kernel space', { ...bp, bp_addr: 2 ** 47 }, 'EINVAL'],
    ['non-integer type', { ...bp, type: 1.5 }, 'EINVAL'],
  ] as const)('%s → %s', (_name, attr, want) => {
    expect(code(attr as PerfEventAttr)).toBe(want);
  });

  it('size 0 means VER0, and fields past the size read as zero', () => {
    const v = checkAttr({ type: PERF_TYPE.SOFTWARE, config: 3, exclude_kernel: 1, size: 0, sig_data: 5 });
    expect(v.size).toBe(64);
    expect(v.sigData).toBe(0n); // sig_data sits at offset 120, past VER0
    expect(checkAttr({ ...bp, size: 128 }).sigData).toBe(7n); // VER7 reaches it
  });

  it('u64 fields wrap like C: sig_data -1 is 2^64-1', () => {
    expect(checkAttr({ ...bp, sig_data: -1 }).sigData).toBe((1n << 64n) - 1n);
  });

  it('accepts R, W, RW and X breakpoints and every software id', () => {
    for (const t of [1, 2, 3]) expect(code({ ...bp, bp_type: t })).toBe('ok');
    expect(code({ ...bp, bp_type: HW_BREAKPOINT.X, bp_len: 8 })).toBe('ok');
    for (let id = 0; id < PERF_COUNT_SW.MAX; id++) expect(code({ type: PERF_TYPE.SOFTWARE, config: id, exclude_kernel: 1 })).toBe('ok');
  });
});
