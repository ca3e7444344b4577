// Claim: the reader's word-wise payload copy returns every payload length byte-exact (lengths that
// are not a multiple of 4 included, with and without an absolute stamp), and a record still busy
// (reserved, not committed) is not returned even after the reader's pause on it; once committed it is.
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ringbuf/index.js';

describe('ring reader payload copy', () => {
  it('returns payloads of 0..70 bytes exactly, through consumeView and consume', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 8, mode: 'discard' });
    for (let len = 0; len <= 70; len++) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (len * 31 + i * 7 + 1) & 0xff);
      const ts = len % 2 === 0 ? 1000 + len : 2 ** 40 + len; // odd lengths need an absolute stamp
      ring.write(0, 5, bytes, ts);
      const v = ring.consumeView(0);
      expect(v?.kind).toBe('event');
      expect(v!.tsNs).toBe(ts);
      expect(Array.from(v!.payload.subarray(0, v!.payloadLength))).toEqual(Array.from(bytes));
      ring.write(0, 6, bytes, ts);
      const r = ring.consume(0);
      expect(r).toEqual({ kind: 'event', cpu: 0, tsNs: ts, type: 6, payload: bytes });
    }
  });

  it('does not return a busy record, even after pausing on it, and returns it once committed', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 4, mode: 'discard' });
    const r = ring.reserve(0, 8, 3, 5000);
    expect(r).not.toBeNull();
    r!.setU32(0, 0xdeadbeef);
    r!.setU32(4, 7);
    expect(ring.consumeView(0)).toBeNull();
    expect(ring.consumeView(0)).toBeNull();
    ring.commit(r!);
    const v = ring.consumeView(0);
    expect(v?.kind).toBe('event');
    expect(Array.from(v!.payload.subarray(0, 8))).toEqual([0xef, 0xbe, 0xad, 0xde, 7, 0, 0, 0]);
  });
});
