// Helpers the perf self-test programs share: the selftests' attr makers, checks that fail the task
// with a message, and a spin barrier in process memory (pthread_barrier_wait over ctx.mem).
// Runs in task workers.
import { HW_BREAKPOINT, PERF_TYPE, type PerfEventAttr } from '../../perf/abi.js';
import type { TaskContext } from '../../task/ctx.js';

/** Fail the program (exit 1, message in the task's error) unless `cond`. */
export function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`check failed: ${what}`);
}

/** `a === b` or fail with both values. */
export function checkEq(a: unknown, b: unknown, what: string): void {
  if (a !== b) throw new Error(`check failed: ${what}: got ${String(a)}, want ${String(b)}`);
}

/** The KernelError code `fn` throws, or 'ok'. */
export function errCode(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

const U64 = (1n << 64n) - 1n;
/** sigtrap_threads.c TEST_SIG_DATA(addr, id): ~addr + id, as an unsigned long. */
export function testSigData(addr: number, id: number): bigint {
  return ((~BigInt(addr) & U64) + BigInt(id)) & U64;
}

/** sigtrap_threads.c make_event_attr(enabled, addr, id). */
export function sigtrapAttr(enabled: boolean, addr: number, id: number, extra: Partial<PerfEventAttr> = {}): PerfEventAttr {
  return {
    type: PERF_TYPE.BREAKPOINT,
    sample_period: 1,
    disabled: !enabled,
    bp_addr: addr,
    bp_type: HW_BREAKPOINT.RW,
    bp_len: 1,
    inherit: 1,
    inherit_thread: 1,
    remove_on_exec: 1,
    sigtrap: 1,
    sig_data: testSigData(addr, id),
    exclude_kernel: 1,
    exclude_hv: 1,
    ...extra,
  };
}

/** Wait until `n` tasks have arrived at the u32 counter at `addr` (a one-shot barrier). */
export function barrierWait(ctx: TaskContext, addr: number, n: number): void {
  ctx.mem.fetchAdd32(addr, 1);
  while (ctx.mem.atomicLoad32(addr) < n) ctx.sched_yield();
}
