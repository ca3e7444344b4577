// Claim: in one thread, the ring's reader returns records in reservation order, stops at the first
// uncommitted one, carries deltas or absolute stamps exactly, merges CPUs by timestamp, hands out
// whole decodable pages, reports stats like ftrace, and its watermark waits end on data, deadline or cancel.
import { describe, expect, it } from 'vitest';
import { RingBuffer, decodePage, formatStats } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';

const u8 = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

describe('ringbuf reader, single thread', () => {
  it('never returns a reserved but uncommitted record, and keeps reservation order', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 4 });
    const a = ring.reserve(0, 4, 1, 100, ring.newReservation())!;
    const b = ring.reserve(0, 4, 2, 101, ring.newReservation())!;
    ring.commit(b);
    expect(ring.peek(0)).toBeNull();
    expect(ring.stats(0).entries).toBe(0);
    a.setU32(0, 0xabcd);
    ring.commit(a);
    expect(ring.peek(0)).toMatchObject({ kind: 'event', type: 1, tsNs: 100 });
    const first = ring.consume(0);
    expect(first?.kind === 'event' && Array.from(first.payload)).toEqual([0xcd, 0xab, 0, 0]);
    expect(ring.consume(0)).toMatchObject({ type: 2, tsNs: 101 });
    expect(ring.consume(0)).toBeNull();
  });

  it('stores stamps far from the page base as absolute, exactly', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 4 });
    const stamps = [5, 5 + 2 ** 31, 3, 1e15 + 0.5, -7];
    for (const t of stamps) expect(ring.write(0, 9, u8(1), t)).toBe(true);
    const got: number[] = [];
    for (let r = ring.consume(0); r !== null; r = ring.consume(0)) if (r.kind === 'event') got.push(r.tsNs);
    expect(got).toEqual(stamps);
  });

  it('crosses pages with padding and merges CPUs by timestamp', () => {
    const ring = RingBuffer.create({ cpus: 3, subbufSize: 256, subbufsPerCpu: 8, mode: 'discard' });
    const want: number[] = [];
    for (let i = 0; i < 60; i++) {
      const ts = 1000 + i * 10;
      expect(ring.write(i % 3, 1, new Uint8Array(1 + (i % 37)), ts)).toBe(true);
      want.push(ts);
    }
    const got: Array<[number, number]> = [];
    for (let r = ring.read(); r !== null; r = ring.read()) if (r.kind === 'event') got.push([r.cpu, r.tsNs]);
    expect(got.map((g) => g[1])).toEqual(want);
    expect(got.map((g) => g[0])).toEqual(want.map((_, i) => i % 3));
  });

  it('hands out whole committed pages that decode to the same events', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 4, mode: 'discard' });
    for (let i = 0; i < 20; i++) ring.write(0, 3, Uint8Array.of(i, i + 1), 500 + i);
    expect(ring.consume(0)).toMatchObject({ tsNs: 500 }); // consume one, then switch to pages
    const seen: number[] = [];
    for (let p = ring.consumePage(0); p !== null; p = ring.consumePage(0)) {
      expect(p.bytes.byteLength).toBe(256);
      for (const rec of decodePage(p.bytes).records) if (rec.kind === 'event') seen.push(rec.tsNs);
    }
    const partial = ring.consumePage(0, { partial: true });
    expect(partial).not.toBeNull();
    for (const rec of decodePage(partial!.bytes).records) if (rec.kind === 'event') seen.push(rec.tsNs);
    expect(seen).toEqual(Array.from({ length: 19 }, (_, i) => 501 + i));
    expect(ring.consumePage(0, { partial: true })).toBeNull();
    expect(ring.stats(0).readEvents).toBe(20);
  });

  it('reports ftrace-style stats, counting local and remote commits alike', () => {
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 256, subbufsPerCpu: 2, mode: 'discard' }, { ownerCpu: 0 });
    const t0 = Math.ceil(clockNs() / 1e6) * 1e6 + 1e9; // after the pages opened, within an i32 delta (16 B records), whole ms
    for (let i = 0; i < 3; i++) ring.write(0, 1, new Uint8Array(8), t0 + i); // local
    for (let i = 0; i < 2; i++) ring.write(1, 1, new Uint8Array(8), t0 + 1e6 + i); // remote
    for (let i = 0; i < 40; i++) ring.write(1, 1, new Uint8Array(8), t0 + 1e6);
    const s0 = ring.stats(0);
    expect(s0).toMatchObject({ entries: 3, bytes: 48, oldestEventTsNs: t0, droppedEvents: 0, readEvents: 0 });
    const s1 = ring.stats(1);
    expect(s1.entries + s1.droppedEvents).toBe(42);
    expect(formatStats(s0)).toMatch(new RegExp(`^entries: 3\noverrun: 0\ncommit overrun: 0\nbytes: 48\noldest event ts: ${(t0 / 1e9).toFixed(6).replace('.', '\\.')}\nnow ts: \\d+\\.\\d{6}\ndropped events: 0\nread events: 0\n`));
  });

  it('waitForData ends with ok on data, timed-out at the deadline, cancelled on the cancel word', async () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 4 });
    expect(ring.waitForData(0, { deadlineNs: clockNs() + 5e6 })).toBe('timed-out');
    const cancel = { view: new Int32Array(new SharedArrayBuffer(4)), index: 0 };
    Atomics.store(cancel.view, 0, 1);
    expect(ring.waitForData(0, { cancel })).toBe('cancelled');
    const pending = ring.waitForDataAsync(0, { deadlineNs: clockNs() + 10e9 });
    ring.write(0, 1, u8(1));
    expect(await pending).toBe('ok');
    expect(ring.waitForData(0, { deadlineNs: clockNs() + 1e9 })).toBe('ok');
    expect(ring.waitForData(0, { watermarkPages: 2, deadlineNs: clockNs() + 2e6 })).toBe('timed-out'); // one event is not two pages
    ring.consume(0);
    const wm = ring.waitForDataAsync(0, { watermarkPages: 1, deadlineNs: clockNs() + 10e9 });
    for (let i = 0; i < 30; i++) ring.write(0, 1, new Uint8Array(16));
    expect(await wm).toBe('ok');
  });
});
