// Claim: arguments that used to slip through are refused with EINVAL before anything runs:
// a NaN or infinite reserve stamp (negative stamps are valid: stored exactly), a negative/NaN/non-number uintr wait timeout (Infinity means none),
// a bootTimeoutMs ≤ 0, a spawn arg that cannot be structured-cloned, kthreadPid of a missing CPU,
// and ctx.spin of a negative or non-finite time (as nanosleep already did).
import { describe, expect, it } from 'vitest';
import { KernelError, Lab, RingBuffer, UintrTable } from '../../src/index.js';
import { useLabs, within } from '../helpers/lab-fixture.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

describe('bad arguments get EINVAL', () => {
  const boot = useLabs();

  it.each([NaN, -Infinity, Infinity])('ring.reserve with tsNs %s is EINVAL and writes nothing', (ts) => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 4 });
    const err = thrown(() => ring.reserve(0, 8, 16, ts));
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ code: 'EINVAL', syscall: 'reserve', path: 'tsNs' });
    expect(ring.stats(0).entries).toBe(0);
    const r = ring.reserve(0, 8, 16, 5)!;
    ring.commit(r);
    expect(ring.read()).toMatchObject({ tsNs: 5, type: 16 });
  });

  it('uintr wait/waitAsync: negative, NaN or non-number timeouts are EINVAL; Infinity waits for the post', async () => {
    const t = UintrTable.create({ receivers: 1, senders: 1 });
    const seen: number[] = [];
    const rx = t.registerReceiver((v) => seen.push(Number(v)));
    const fd = rx.createFd(3);
    rx.stui();
    for (const timeoutMs of [-1, NaN, -Infinity, '5' as unknown as number]) {
      expect(thrown(() => rx.wait({ timeoutMs })), String(timeoutMs)).toMatchObject({ code: 'EINVAL', syscall: 'uintr_wait' });
      await expect(rx.waitAsync({ timeoutMs }), String(timeoutMs)).rejects.toMatchObject({ code: 'EINVAL' });
    }
    expect(rx.wait({ timeoutMs: 0 })).toBe('timed-out');
    const tx = t.registerSender();
    const idx = tx.connect(fd);
    const timer = setTimeout(() => tx.send(idx), 30);
    try {
      expect(await within(5000, 'waitAsync with timeoutMs: Infinity', rx.waitAsync({ timeoutMs: Infinity }))).toBe('EINTR');
    } finally {
      clearTimeout(timer);
    }
    expect(seen).toEqual([3]);
  });

  it.each([-1, 0, NaN, 2 ** 31, Infinity])('Lab.boot({ bootTimeoutMs: %s }) is EINVAL before any worker starts', async (bootTimeoutMs) => {
    const err = await Lab.boot({ cpus: 1, bootTimeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EINVAL', syscall: 'boot' });
    expect((err as Error).message).toMatch(/bootTimeoutMs/);
  });

  it('spawn with an arg structured clone refuses is EINVAL, no task starts; kthreadPid of a missing CPU is EINVAL', async () => {
    const lab = await boot({ cpus: 2 });
    const mod = `data:text/javascript,${encodeURIComponent('export default () => 0;')}`;
    for (const arg of [() => 1, { s: Symbol('x') }]) {
      const err = await lab.spawn(mod, { arg }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'EINVAL', syscall: 'spawn', path: 'arg' });
      expect((err as Error).message).toMatch(/structured clone/);
    }
    expect(lab.ps()).toEqual([]);
    const ok = await lab.spawn(mod, { arg: { n: 10n, buf: new SharedArrayBuffer(8) } });
    expect(await within(10_000, 'cloneable arg task', ok.exited)).toEqual({ code: 0 });
    for (const cpu of [2, 99, -1, 0.5]) expect(thrown(() => lab.timerlat.kthreadPid(cpu)), String(cpu)).toMatchObject({ code: 'EINVAL' });
    expect(lab.timerlat.kthreadPid(1)).toBeGreaterThan(0);
  });

  it('ctx.spin of a negative or non-finite time is EINVAL inside the task; spin(0) is fine', async () => {
    const lab = await boot({ cpus: 1 });
    const src = `export default function main(ctx, args) {
      for (let i = 0; i < args.length; i++) {
        try { ctx.spin(args[i]); return 10 + i; } catch (e) { if (e.code !== 'EINVAL') return 20 + i; }
      }
      ctx.spin(0);
      return 0;
    }`;
    const t = await lab.spawn(`data:text/javascript,${encodeURIComponent(src)}`, { arg: [-5, NaN, Infinity, -Infinity] });
    expect(await within(10_000, 'spin task', t.exited)).toEqual({ code: 0 });
  });
});
