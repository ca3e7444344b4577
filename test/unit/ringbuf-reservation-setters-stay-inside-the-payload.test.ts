// Claim: a Reservation's set* methods write only inside the reserved payload. An offset that would
// touch a byte outside [0, payloadLength) (negative, fractional, NaN, or past the end) throws
// EINVAL and writes nothing, so the next record's header survives and the CPU's buffer keeps
// working (a stray setU32 used to break the buffer for good). Property-based, seeded by fast-check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errno.js';
import { RingBuffer } from '../../src/ringbuf/index.js';

const SIZES = { setU8: 1, setU32: 4, setI32: 4, setF64: 8 } as const;
type Setter = keyof typeof SIZES | 'setBytes';

function store(r: ReturnType<RingBuffer['newReservation']>, m: Setter, at: number, n: number): void {
  if (m === 'setBytes') r.setBytes(at, new Uint8Array(n).fill(0xee));
  else r[m](at, 0x7eeeeeee);
}

describe('Reservation setters stay inside the payload', () => {
  it('the reviewer repro: setU32 past an 8-byte payload throws EINVAL and both records read back', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 4, mode: 'overwrite' });
    const r1 = ring.newReservation();
    const r2 = ring.newReservation();
    ring.reserve(0, 8, 20, undefined, r1);
    ring.reserve(0, 8, 21, undefined, r2);
    r1.setU32(0, 5);
    const err = (() => { try { r1.setU32(8, 0x11111111); } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(KernelError);
    expect(err).toMatchObject({ code: 'EINVAL', syscall: 'setU32' });
    expect((err as Error).message).toMatch(/outside the 8 B payload/);
    r2.setU32(0, 6);
    ring.commit(r1);
    ring.commit(r2);
    for (let i = 0; i < 2000; i++) ring.write(0, 22, new Uint8Array(8));
    let n = 0;
    while (ring.read() !== null) n++;
    expect(n).toBeGreaterThan(0);
    expect(ring.stats(0)).toMatchObject({ entries: 0 });
  });

  it('every setter throws EINVAL exactly when a byte would fall outside, and the neighbour is intact', () => {
    const offset = fc.oneof(fc.integer({ min: -12, max: 80 }), fc.constantFrom(NaN, 0.5, -0, 2 ** 32, Infinity));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), fc.constantFrom<Setter>('setU8', 'setU32', 'setI32', 'setF64', 'setBytes'), offset, fc.integer({ min: 0, max: 16 }), (len, m, at, nBytes) => {
        const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 4 });
        const r1 = ring.newReservation();
        const r2 = ring.newReservation();
        ring.reserve(0, len, 30, 1, r1);
        ring.reserve(0, 8, 31, 2, r2);
        r2.setF64(0, 1.25);
        const size = m === 'setBytes' ? nBytes : SIZES[m];
        const inside = Number.isInteger(at) && at >= 0 && at + size <= len;
        let thrown: unknown = null;
        try {
          store(r1, m, at, size);
        } catch (e) {
          thrown = e;
        }
        if (inside) expect(thrown).toBeNull();
        else expect(thrown).toMatchObject({ code: 'EINVAL' });
        ring.commit(r1);
        ring.commit(r2);
        const a = ring.read();
        const b = ring.read();
        expect(a).toMatchObject({ type: 30 });
        expect((a as { payload: Uint8Array }).payload.byteLength).toBe(len);
        expect(b).toMatchObject({ type: 31 });
        expect(new DataView((b as { payload: Uint8Array }).payload.buffer, (b as { payload: Uint8Array }).payload.byteOffset).getFloat64(0, true)).toBe(1.25);
        expect(ring.read()).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
