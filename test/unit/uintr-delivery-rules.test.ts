// Delivery rules of user interrupts, in process: UIF starts 0, high-to-low order, one handler call per
// vector, coalescing, clui/stui masking, no re-entry unless the handler unmasks, uiret restoring UIF,
// SN while descheduled (not in uintr_wait), uintr_wait wake/timeout/cancel, and teardown both ways.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  UintrTable, registerHandler, createFd, claimSender, registerSender, senduipi, poll,
  stui, clui, testui, deschedule, resume, uintrWait, upidWord, pendingVectors, NO_UPID, ON, SN, U_STATUS,
  U_LIFE, LIFE_REF, type UintrFd, type UintrReceiver, type UintrSender, type UintrViews,
} from '../../src/uintr/index.js';
import { clockNs } from '../../src/shm/clock.js';
import { mulberry32, randInt, testSeed, withSeed } from '../helpers/seeded-rng.js';

interface Rig {
  t: UintrTable;
  rx: UintrReceiver;
  tx: UintrSender;
  seen: number[];
  idx: Map<number, number>;
}

// The delivery rules hold on both hot paths: a table attached with its memory sends and polls in
// WebAssembly (src/uintr/fastpath.wat); attached by its SAB alone, with Atomics calls.
const HOT_PATHS = ['WebAssembly', 'Atomics'] as const;
let hotPath: (typeof HOT_PATHS)[number] = 'WebAssembly';

/** A table on the current hot path: with its memory, or attached by its SAB alone. */
function table(receivers = 2, senders = 2): UintrTable {
  const t = UintrTable.create({ receivers, senders });
  if (hotPath === 'WebAssembly') return t;
  const { kind, sab } = t.handle;
  return UintrTable.attach({ kind, sab, receivers, senders });
}

/** The same as raw views (for the core functions). */
function tableViews(receivers: number, senders: number): UintrViews {
  const v = table(receivers, senders).views;
  expect(v.fast !== undefined).toBe(hotPath === 'WebAssembly');
  return v;
}

/** One receiver with fds for `vectors`, one sender connected to each. */
function rig(vectors: number[], onVector?: (vec: number, r: Rig) => void): Rig {
  const t = table();
  expect(t.views.fast !== undefined).toBe(hotPath === 'WebAssembly');
  const seen: number[] = [];
  const r = { t, seen, idx: new Map<number, number>() } as Rig;
  r.rx = t.registerReceiver((vec) => {
    seen.push(vec);
    onVector?.(vec, r);
  });
  r.tx = t.registerSender();
  for (const vec of vectors) r.idx.set(vec, r.tx.connect(r.rx.createFd(vec)));
  return r;
}

describe.each(HOT_PATHS)('uintr delivery, %s hot paths', (hot) => {
  beforeEach(() => {
    hotPath = hot;
  });

  it('delivers nothing while UIF is 0 (its initial value) and everything at stui', () => {
    const r = rig([1]);
    expect(r.rx.testui()).toBe(false);
    r.tx.send(r.idx.get(1)!);
    expect(r.rx.poll()).toBe(0);
    expect(r.rx.pending()).toEqual([1]);
    expect(r.rx.stui()).toBe(1);
    expect(r.seen).toEqual([1]);
    expect(r.rx.testui()).toBe(true);
  });

  it('takes pending vectors high to low, one handler call each, for a seeded random set', () => {
    const seed = testSeed(0x5eed01);
    const rng = mulberry32(seed);
    const vectors = [...new Set(Array.from({ length: 20 }, () => randInt(rng, 0, 63)))];
    const r = rig(vectors);
    for (const vec of vectors) r.tx.send(r.idx.get(vec)!);
    r.rx.stui();
    const expected = [...vectors].sort((a, b) => b - a);
    expect(r.seen, withSeed(seed, `posted ${vectors.join(',')}`)).toEqual(expected);
  });

  it('coalesces repeated posts of one vector before delivery into one delivery', () => {
    const r = rig([9, 40]);
    for (let i = 0; i < 100; i++) r.tx.send(r.idx.get(9)!);
    r.tx.send(r.idx.get(40)!);
    r.tx.send(r.idx.get(40)!);
    r.rx.stui();
    expect(r.seen).toEqual([40, 9]);
    r.tx.send(r.idx.get(9)!);
    expect(r.rx.poll()).toBe(1);
    expect(r.seen).toEqual([40, 9, 9]);
  });

  it('keeps posts pending after clui and delivers them at stui', () => {
    const r = rig([2, 3]);
    r.rx.stui();
    r.rx.clui();
    r.tx.send(r.idx.get(2)!);
    r.tx.send(r.idx.get(3)!);
    expect(r.rx.poll()).toBe(0);
    expect(r.rx.pending()).toEqual([3, 2]);
    expect(r.rx.stui()).toBe(2);
    expect(r.seen).toEqual([3, 2]);
  });

  it('runs the handler with UIF clear, so a poll inside it does not re-enter, and uiret sets UIF', () => {
    let depth = 0;
    let maxDepth = 0;
    let uifInside: boolean | undefined;
    const r = rig([4, 5], (vec, rr) => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      uifInside = rr.rx.testui();
      if (vec === 4) rr.tx.send(rr.idx.get(5)!);
      expect(rr.rx.poll()).toBe(0);
      depth--;
    });
    r.rx.stui();
    r.tx.send(r.idx.get(4)!);
    r.rx.poll();
    expect(maxDepth).toBe(1);
    expect(uifInside).toBe(false);
    expect(r.rx.testui()).toBe(true);
    // 5, posted inside the handler, is taken after uiret by the same poll, not nested.
    expect(r.seen).toEqual([4, 5]);
  });

  it('nests only when the handler calls stui', () => {
    let depth = 0;
    let maxDepth = 0;
    const r = rig([10, 20], (vec, rr) => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      if (vec === 10) {
        rr.tx.send(rr.idx.get(20)!);
        rr.rx.stui(); // unmask inside the handler: the pending 20 preempts at once
      }
      depth--;
    });
    r.rx.stui();
    r.tx.send(r.idx.get(10)!);
    r.rx.poll();
    expect(r.seen).toEqual([10, 20]);
    expect(maxDepth).toBe(2);
  });

  it('restores UIF when the handler throws (treated as uiret)', () => {
    const r = rig([1], () => {
      throw new Error('boom');
    });
    r.rx.stui();
    r.tx.send(r.idx.get(1)!);
    expect(() => r.rx.poll()).toThrow('boom');
    expect(r.rx.testui()).toBe(true);
  });

  it('sets ON for the first post only and clears it when the receiver takes the notification', () => {
    const v = tableViews(1, 1);
    const upid = registerHandler(v, 0, NO_UPID) as number;
    const s = claimSender(v) as number;
    const i = registerSender(v, s, createFd(v, upid, 7, 0), 0) as number;
    senduipi(v, s, i);
    expect(Atomics.load(v.i32, upidWord(v, upid, U_STATUS)) & ON).toBe(ON);
    stui(v, upid);
    poll(v, upid, () => {});
    expect(Atomics.load(v.i32, upidWord(v, upid, U_STATUS)) & ON).toBe(0);
    clui(v, upid);
    expect(testui(v, upid)).toBe(false);
  });
});

describe.each(HOT_PATHS)('uintr scheduling and uintr_wait, %s hot paths', (hot) => {
  beforeEach(() => {
    hotPath = hot;
  });

  it('sets SN while descheduled, posts without ON, and delivers after resume', () => {
    const v = tableViews(1, 1);
    const upid = registerHandler(v, 0, NO_UPID) as number;
    const s = claimSender(v) as number;
    const i = registerSender(v, s, createFd(v, upid, 7, 0), 0) as number;
    stui(v, upid);
    expect(deschedule(v, upid)).toBe(true);
    senduipi(v, s, i);
    const st = Atomics.load(v.i32, upidWord(v, upid, U_STATUS));
    expect(st & SN).toBe(SN);
    expect(st & ON).toBe(0);
    expect(resume(v, upid, 1)).toBe(true);
    const seen: number[] = [];
    poll(v, upid, (vec) => seen.push(vec));
    expect(seen).toEqual([7]);
  });

  it('returns EINTR at once, after running the handler, when a post is already pending', () => {
    const r = rig([6]);
    r.rx.stui();
    r.rx.clui();
    r.tx.send(r.idx.get(6)!);
    r.rx.stui(); // delivers
    r.tx.send(r.idx.get(6)!);
    expect(r.rx.wait({ timeoutMs: 10_000 })).toBe('EINTR');
    expect(r.seen).toEqual([6, 6]);
  });

  it('returns EINTR with the vector still pending when masked', () => {
    const r = rig([6]);
    r.tx.send(r.idx.get(6)!);
    expect(r.rx.wait({ timeoutMs: 10_000 })).toBe('EINTR');
    expect(r.seen).toEqual([]);
    expect(r.rx.pending()).toEqual([6]);
  });

  it('times out with nothing posted, and is cancelled by the table', () => {
    const r = rig([6]);
    r.rx.stui();
    expect(r.rx.wait({ timeoutMs: 1 })).toBe('timed-out');
    r.t.cancelWaits(r.rx.upid);
    expect(r.rx.wait({ timeoutMs: 10_000 })).toBe('cancelled');
  });

  it('is woken by a send while blocked (waitAsync on this thread), and deschedule leaves SN clear meanwhile', async () => {
    const r = rig([33]);
    r.rx.stui();
    const p = r.rx.waitAsync({ timeoutMs: 20_000 });
    // The waiter is registered synchronously: it is in uintr_wait now, so the scheduler may not set SN.
    expect(deschedule(r.t.views, r.rx.upid)).toBe(false);
    r.tx.send(r.idx.get(33)!);
    await expect(p).resolves.toBe('EINTR');
    expect(r.seen).toEqual([33]);
  });

  it('never sleeps past its deadline by more than the clock allows (deadline is honoured)', () => {
    const r = rig([1]);
    r.rx.stui();
    const v = r.t.views;
    const deadlineNs = clockNs() + 2e6;
    expect(uintrWait(v, r.rx.upid, () => {}, { deadlineNs })).toBe('timed-out');
    expect(clockNs()).toBeGreaterThanOrEqual(deadlineNs);
  });
});

describe.each(HOT_PATHS)('uintr teardown, %s hot paths', (hot) => {
  beforeEach(() => {
    hotPath = hot;
  });

  it('drops posts to a dead receiver silently and keeps its UPID until the last sender lets go', () => {
    const t = table(1, 1);
    const rx = t.registerReceiver(() => {});
    const fd: UintrFd = rx.createFd(1);
    const tx = t.registerSender();
    const i = tx.connect(fd);
    const v = t.views;
    rx.unregister();
    expect(() => tx.send(i)).not.toThrow();
    expect(pendingVectors(v, fd.upid)).toEqual([]);
    // The only UPID is still referenced by the stale UITT entry: no new receiver fits.
    expect(() => t.registerReceiver(() => {})).toThrow(/ENOMEM/);
    expect(Atomics.load(v.i32, upidWord(v, fd.upid, U_LIFE)) & 0xfffe).toBe(LIFE_REF);
    tx.release();
    const seen: number[] = [];
    const rx2 = t.registerReceiver((vec) => seen.push(vec));
    expect(rx2.upid).toBe(fd.upid);
    rx2.stui();
    expect(rx2.pending()).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('frees a sender UITT on release: later sends fault SIGILL and references are returned', () => {
    const t = table(1, 1);
    const rx = t.registerReceiver(() => {});
    const tx = t.registerSender();
    tx.connect(rx.createFd(1));
    tx.connect(rx.createFd(2));
    tx.release();
    expect(Atomics.load(t.views.i32, upidWord(t.views, rx.upid, U_LIFE)) & 0xfffe).toBe(0);
    expect(() => tx.send(0)).toThrow(/SIGILL/);
    const tx2 = t.registerSender();
    expect(tx2.slot).toBe(0);
    expect(tx2.connections()).toBe(0);
  });

  it('inherits nothing: a new task (sender slot / receiver) starts with no UITT, no handler, UIF 0', () => {
    const t = table(2, 2);
    const parent = t.registerReceiver(() => {});
    parent.stui();
    const child = t.registerReceiver(() => {});
    expect(child.testui()).toBe(false);
    expect(() => t.registerSender().send(0)).toThrow(/SIGILL/);
  });
});
