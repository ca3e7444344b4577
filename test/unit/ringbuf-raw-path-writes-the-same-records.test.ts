// Claim: reserveRaw/commitRaw write the same records as reserve/commit: every event reads back with
// its type, stamp (delta or absolute) and payload across page turns, mixed with reserve()/commit() on
// the same attachment and with another attachment's writes; discard mode drops and counts (-1);
// a commitRaw without a held reservation, or twice, is EINVAL; a busy raw record is not readable.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RingBuffer } from '../../src/ringbuf/index.js';

describe('ring raw write path', () => {
  it('interleaved with reserve()/commit() and a second writer, every event reads back in order (seeded)', () => {
    fc.assert(fc.property(fc.array(fc.record({ api: fc.constantFrom('raw', 'obj', 'other'), len: fc.integer({ min: 0, max: 40 }), jump: fc.boolean() }), { minLength: 1, maxLength: 400 }), (ops) => {
      const ring = RingBuffer.create({ cpus: 2, subbufSize: 512, subbufsPerCpu: 64, mode: 'discard' }, { ownerCpu: 0 });
      const other = RingBuffer.attach(ring.handle, { ownerCpu: -1 });
      let ts = 5000;
      const want: Array<{ type: number; ts: number; bytes: number[] }> = [];
      ops.forEach((op, i) => {
        ts += op.jump ? 2 ** 33 : 3; // a jump needs an absolute stamp
        const bytes = Array.from({ length: op.len }, (_, j) => (i * 13 + j) & 0xff);
        const type = 1 + (i % 200);
        if (op.api === 'raw') {
          const off = ring.reserveRaw(0, op.len, type, ts);
          expect(off).toBeGreaterThanOrEqual(0);
          expect(off & 7).toBe(0);
          ring.dataU8.set(bytes, off);
          ring.commitRaw();
        } else {
          const w = op.api === 'obj' ? ring : other;
          const r = w.reserve(0, op.len, type, ts)!;
          r.setBytes(0, Uint8Array.from(bytes));
          w.commit(r);
        }
        want.push({ type, ts, bytes });
      });
      const got: Array<{ type: number; ts: number; bytes: number[] }> = [];
      for (let r = ring.consume(0); r !== null; r = ring.consume(0)) {
        if (r.kind === 'event') got.push({ type: r.type, ts: r.tsNs, bytes: Array.from(r.payload) });
      }
      expect(got).toEqual(want);
    }), { seed: 20261123, numRuns: 60 });
  });

  it('discard mode: a full buffer drops raw writes (-1) and counts them', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 2, mode: 'discard' }, { ownerCpu: 0 });
    let ok = 0;
    let dropped = 0;
    for (let i = 0; i < 100; i++) {
      const off = ring.reserveRaw(0, 16, 1, 1000 + i);
      if (off < 0) { dropped++; continue; }
      ring.dataI32[off >> 2] = i;
      ring.commitRaw();
      ok++;
    }
    expect(ok).toBeGreaterThan(0);
    expect(dropped).toBe(100 - ok);
    expect(ring.stats(0).droppedEvents).toBe(dropped);
  });

  it('commitRaw without a held reservation, or twice, is EINVAL; a busy raw record is not readable', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 4, mode: 'discard' }, { ownerCpu: 0 });
    expect(() => ring.commitRaw()).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const off = ring.reserveRaw(0, 8, 9, 7000);
    ring.dataF64[off >> 3] = 1.5;
    expect(ring.consumeView(0)).toBeNull(); // busy: not readable yet
    ring.commitRaw();
    expect(() => ring.commitRaw()).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const v = ring.consume(0);
    expect(v).toMatchObject({ kind: 'event', type: 9, tsNs: 7000 });
    expect(new Float64Array((v as { payload: Uint8Array }).payload.slice().buffer)[0]).toBe(1.5);
    expect(() => ring.reserveRaw(0, 1 << 20, 1, 1)).toThrow(expect.objectContaining({ code: 'E2BIG' }));
    for (const cpu of [3, -1, 0.5, Number.NaN]) {
      expect(() => ring.reserveRaw(cpu, 8, 1, 1), `cpu ${cpu}`).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
    expect(() => ring.reserveRaw(0, 1.5, 1, 1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => ring.reserveRaw(0, 8, 256, 1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
