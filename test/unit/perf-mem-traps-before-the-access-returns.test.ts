// Claim: TaskMem traps after the access completes and before it returns (the watch hook sees the
// stored value; the load returns after it), costs no hook call while ARMED is 0, faults SIGSEGV
// outside every allocation and SIGBUS when misaligned, and fork/exec copy/reset the address space.
import { describe, expect, it } from 'vitest';
import { BUS_ADRALN, HW_BREAKPOINT, SEGV_MAPERR, SIGBUS, SIGSEGV, USER_BASE, allocateMm, copyMm } from '../../src/perf/index.js';
import { TaskMem } from '../../src/task/mem.js';

class Unwind {
  constructor(readonly sig: number, readonly code: number, readonly addr: number) {}
}

function make() {
  const mm = allocateMm(4096);
  const win = new Int32Array(2); // [WLO, WHI] in heap offsets, [0, 0) = nothing armed
  const log: string[] = [];
  const raw = new Uint32Array(mm.views.sab, mm.heapOffset, 4);
  const mem: TaskMem = new TaskMem(mm, win, {
    watch: (addr, size, kind) => log.push(`watch ${addr - USER_BASE}+${size} k${kind} sees ${raw[0]}`),
    fault: (sig, code, addr) => {
      throw new Unwind(sig, code, addr);
    },
  });
  return { mm, win, log, mem };
}

describe('ctx.mem', () => {
  it('with nothing armed, accesses never call the hook', () => {
    const { mem, log } = make();
    const a = mem.alloc(16);
    expect(a).toBe(USER_BASE);
    mem.store32(a, 7);
    expect(mem.load32(a)).toBe(7);
    mem.store64(a + 8, -1);
    expect(mem.load64(a + 8)).toBe((1n << 64n) - 1n);
    expect(log).toEqual([]);
  });

  it('armed: the hook runs after the store happened and before the load returns', () => {
    const { mem, log, win } = make();
    const a = mem.alloc(8);
    win[1] = 8; // the window [0, 8): the first allocation
    mem.store32(a, 5);
    log.push(`returned ${mem.load32(a)}`);
    expect(log).toEqual([`watch 0+4 k${HW_BREAKPOINT.W} sees 5`, `watch 0+4 k${HW_BREAKPOINT.R} sees 5`, 'returned 5']);
    mem.fetchAdd32(a, 1);
    expect(log.some((l) => l.startsWith(`watch 0+4 k${HW_BREAKPOINT.RW}`))).toBe(true);
  });

  it('faults: SIGSEGV past brk and at NULL, SIGBUS misaligned, with si_addr', () => {
    const { mem } = make();
    const a = mem.alloc(16);
    const fault = (fn: () => unknown): Unwind => {
      try {
        fn();
      } catch (e) {
        if (e instanceof Unwind) return e;
      }
      throw new Error('no fault');
    };
    expect(fault(() => mem.load8(a + 16))).toEqual(new Unwind(SIGSEGV, SEGV_MAPERR, a + 16));
    expect(fault(() => mem.store32(0, 1))).toEqual(new Unwind(SIGSEGV, SEGV_MAPERR, 0));
    expect(fault(() => mem.load32(a + 2))).toEqual(new Unwind(SIGBUS, BUS_ADRALN, a + 2));
    expect(fault(() => mem.load64(a + 4))).toEqual(new Unwind(SIGBUS, BUS_ADRALN, a + 4));
    expect(() => mem.alloc(1 << 20)).toThrow(/malloc ENOMEM/); // a KernelError, not a fault
  });

  it('faults on every width: misaligned, below the heap, and addresses the fast path\'s int32 rotate would wrap', () => {
    const { mem } = make();
    const a = mem.alloc(16);
    const sig = (fn: () => unknown): number => {
      try {
        fn();
      } catch (e) {
        if (e instanceof Unwind) return e.sig;
      }
      return 0;
    };
    expect([a + 1, a + 3].map((x) => sig(() => mem.store16(x, 1)))).toEqual([SIGBUS, SIGBUS]);
    expect([a + 1, a + 2, a + 4].map((x) => sig(() => mem.store32(x, 1)))).toEqual([SIGBUS, SIGBUS, 0]);
    expect([a + 4, a + 2].map((x) => sig(() => mem.load64(x)))).toEqual([SIGBUS, SIGBUS]);
    for (const bad of [a - 8, -a, a + 2 ** 32, a + 0.5, a + 16, 2 ** 31 + a, Number.NaN]) {
      expect([sig(() => mem.load8(bad)), sig(() => mem.load16(bad)), sig(() => mem.store32(bad, 1)), sig(() => mem.load64(bad))]).toEqual([SIGSEGV, SIGSEGV, SIGSEGV, SIGSEGV]);
    }
    expect(sig(() => mem.load32(String(a) as unknown as number))).toBe(SIGSEGV);
    expect(mem.load32(a)).toBe(0); // none of them wrote
  });

  it('another thread\'s allocation becomes valid here (brk refreshed on the slow path)', () => {
    const { mm, mem } = make();
    const other = new TaskMem(mm, new Int32Array(2), { watch: () => {}, fault: () => {} });
    const a = other.alloc(8);
    other.store32(a, 9);
    expect(mem.load32(a)).toBe(9);
  });

  it('fork copies the bytes; exec resets them', () => {
    const { mm, mem } = make();
    const a = mem.alloc(8);
    mem.store32(a, 1234);
    const child = new TaskMem(copyMm(mm), new Int32Array(2), { watch: () => {}, fault: () => {} });
    expect(child.load32(a)).toBe(1234);
    child.store32(a, 1);
    expect(mem.load32(a)).toBe(1234);
    mem.reset();
    expect(mem.brk).toBe(0);
    expect(mem.alloc(8)).toBe(a);
    expect(mem.load32(a)).toBe(0);
  });
});
