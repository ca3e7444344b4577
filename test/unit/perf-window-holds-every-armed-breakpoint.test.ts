// Claim: the armed window [WLO, WHI) the table publishes for ctx.mem holds every aligned access of
// size 1, 2, 4 or 8 that overlaps an enabled user breakpoint of the task (so the one range check
// per access never skips a hit), and is [0, 0) when nothing is armed: after DISABLE, for a task with
// only exclude_user or software events, and for a breakpoint outside the heap. Seeded; the seed is
// printed.
import { describe, expect, it } from 'vitest';
import {
  CONTROL_PLANE, HW_BREAKPOINT, PERF_EVENT_IOC, PERF_TYPE, PerfTable, TP, USER_BASE,
  allocatePerf, checkAttr, freshTask, openEvent, perfIoctl, type PerfEventAttr,
} from '../../src/perf/index.js';
import { mulberry32 } from '../../src/shm/prng.js';

const bp = (addr: number, len: number, extra: Partial<PerfEventAttr> = {}): PerfEventAttr => ({
  type: PERF_TYPE.BREAKPOINT, bp_type: HW_BREAKPOINT.RW, bp_addr: addr, bp_len: len, sample_period: 1, exclude_kernel: 1, ...extra,
});

function setup() {
  const t = new PerfTable(allocatePerf(2, 64), CONTROL_PLANE, () => true, { migrations: () => 0 });
  freshTask(t, 0, 100);
  return t;
}
const win = (t: PerfTable): [number, number] => {
  const tb = t.shm.taskBase(0);
  return [t.shm.i32[tb + TP.WLO]!, t.shm.i32[tb + TP.WHI]!];
};

describe('armed window', () => {
  it('holds every aligned access that overlaps an enabled breakpoint, for random sets of up to four', () => {
    const seed = (Date.now() >>> 0) ^ 0x5eed;
    console.log(`perf-window seed ${seed}`);
    const rand = mulberry32(seed);
    for (let round = 0; round < 200; round++) {
      const t = setup();
      const bps: Array<{ lo: number; hi: number }> = [];
      const n = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) {
        const len = [1, 2, 4, 8][Math.floor(rand() * 4)]!;
        const lo = USER_BASE + Math.floor(rand() * 512) * len;
        openEvent(t, checkAttr(bp(lo, len)), 100, 0, -1);
        bps.push({ lo: lo - USER_BASE, hi: lo - USER_BASE + len });
      }
      const [wlo, whi] = win(t);
      for (const size of [1, 2, 4, 8]) {
        for (let off = 0; off < 8 * 512 + 16; off += size) {
          const hits = bps.some((b) => off < b.hi && off + size > b.lo);
          if (hits && !(off >= wlo && off < whi)) throw new Error(`seed ${seed}: access ${off}+${size} hits a breakpoint outside [${wlo}, ${whi})`);
        }
      }
    }
  });

  it('is [0, 0) with nothing armed: disabled, exclude_user only, software only, or outside the heap', () => {
    const t = setup();
    expect(win(t)).toEqual([0, 0]);
    const e = openEvent(t, checkAttr(bp(USER_BASE + 64, 4)), 100, 0, -1);
    expect(win(t)).toEqual([64, 68]);
    perfIoctl(t, e, PERF_EVENT_IOC.DISABLE, 0);
    expect(win(t)).toEqual([0, 0]);
    openEvent(t, checkAttr(bp(USER_BASE + 64, 4, { exclude_user: 1 })), 100, 0, -1);
    openEvent(t, checkAttr({ type: PERF_TYPE.SOFTWARE, config: 1, exclude_kernel: 1 }), 100, 0, -1);
    expect(win(t)).toEqual([0, 0]);
    openEvent(t, checkAttr(bp(0x1000, 8)), 100, 0, -1); // below USER_BASE: no heap access can hit it
    expect(win(t)).toEqual([0, 0]);
    perfIoctl(t, e, PERF_EVENT_IOC.ENABLE, 0);
    expect(win(t)).toEqual([64, 68]);
  });

  it('starts rounded down to 8, so an aligned access that covers the start is inside', () => {
    const t = setup();
    openEvent(t, checkAttr(bp(USER_BASE + 13, 1)), 100, 0, -1);
    expect(win(t)).toEqual([8, 14]);
  });
});
