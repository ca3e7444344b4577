// Claim (property, fast-check): decodePage on any bytes either decodes or throws a RingFormatError
// whose offset lies inside the page; it never crashes otherwise or hangs. Real pages from the ring
// decode back to exactly the events written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer, RingFormatError, decodePage } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';
import { testSeed } from '../helpers/seeded-rng.js';

const SEED = testSeed(0xf022);

/** Pages produced by a real ring from random events (payload sizes, stamps). */
function pagesOf(events: ReadonlyArray<{ len: number; ts: number; type: number }>): Uint8Array[] {
  const ring = RingBuffer.create({ cpus: 1, subbufSize: 512, subbufsPerCpu: 64, mode: 'discard' });
  for (const e of events) ring.write(0, e.type, new Uint8Array(e.len).fill(e.type), e.ts);
  const out: Uint8Array[] = [];
  for (let p = ring.consumePage(0, { partial: true }); p !== null; p = ring.consumePage(0, { partial: true })) out.push(p.bytes);
  return out;
}

const eventArb = fc.record({
  len: fc.integer({ min: 0, max: 200 }),
  ts: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: -1e12, max: 1e12, noNaN: true })),
  type: fc.integer({ min: 0, max: 255 }),
});

function decodesOrTypedError(bytes: Uint8Array): void {
  try {
    decodePage(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(RingFormatError);
    const e = err as RingFormatError;
    expect(e.code).toBe('EINVAL');
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThan(Math.max(bytes.byteLength, 1));
    expect(e.message).toContain(`page+0x${e.offset.toString(16)}`);
  }
}

describe('ringbuf page decoder', () => {
  it('round-trips real pages', () => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 120 }), (events) => {
      const decoded = pagesOf(events).flatMap((p) => decodePage(p).records).filter((r) => r.kind === 'event');
      expect(decoded.map((r) => [r.type, r.tsNs + 0, r.payload.byteLength])).toEqual(events.map((e) => [e.type, e.ts + 0, e.len]));
    }), { seed: SEED, numRuns: 100 });
  });

  it('rejects corrupted real pages with a typed error naming the offset', () => {
    const flips = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(fc.array(eventArb, { minLength: 1, maxLength: 40 }), flips, fc.nat(), (events, fl, cut) => {
      for (const page of pagesOf(events)) {
        const bad = page.slice();
        for (const f of fl) bad[f.at % bad.length] = f.value;
        decodesOrTypedError(bad);
        decodesOrTypedError(bad.subarray(0, cut % (bad.length + 1)));
      }
    }), { seed: SEED, numRuns: 200 });
  });

  it('rejects arbitrary bytes with a typed error, never a crash', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1024 }), (bytes) => decodesOrTypedError(bytes)), { seed: SEED, numRuns: 500 });
  });

  it('names the offset of a busy record in a page copy', () => {
    const t = clockNs() + 1e9; // after the page opens, within an i32 delta: two 16 B records, no absolute stamp
    const page = pagesOf([{ len: 8, ts: t, type: 1 }, { len: 8, ts: t + 1, type: 1 }])[0]!;
    const dv = new DataView(page.buffer);
    dv.setInt32(32 + 16, (dv.getInt32(32 + 16, true) & ~(7 << 24)) | (1 << 24), true); // 2nd record → busy
    expect(() => decodePage(page)).toThrow(/page\+0x30.*uncommitted/);
  });
});
