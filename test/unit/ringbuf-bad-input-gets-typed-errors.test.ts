// Claim: bad sizes, oversized events, foreign handles and misuse get KernelErrors (EINVAL, E2BIG,
// ENODEV) that name the field and the allowed range; nothing already recorded is lost.
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errno.js';
import { RingBuffer, type RingHandle } from '../../src/ringbuf/index.js';
import { RING_VERSION } from '../../src/ringbuf/layout.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KernelError);
    return (err as KernelError).code;
  }
  return undefined;
}

describe('ringbuf bad input', () => {
  it.each([
    ['zero sub-buffer', { cpus: 1, subbufSize: 0 }],
    ['negative sub-buffer', { cpus: 1, subbufSize: -4096 }],
    ['sub-buffer not a power of two', { cpus: 1, subbufSize: 3000 }],
    ['sub-buffer under 256 bytes', { cpus: 1, subbufSize: 128 }],
    ['sub-buffer over 64 KiB', { cpus: 1, subbufSize: 131072 }],
    ['zero sub-buffers', { cpus: 1, subbufsPerCpu: 0 }],
    ['one sub-buffer', { cpus: 1, subbufsPerCpu: 1 }],
    ['sub-buffers not a power of two', { cpus: 1, subbufsPerCpu: 6 }],
    ['negative buffer_size_kb', { cpus: 1, bufferSizeKb: -1 }],
    ['both size knobs', { cpus: 1, subbufsPerCpu: 4, bufferSizeKb: 16 }],
    ['zero cpus', { cpus: 0 }],
    ['fractional cpus', { cpus: 1.5 }],
    ['unknown mode', { cpus: 1, mode: 'ring' as 'discard' }],
  ])('create rejects %s with EINVAL', (_name, opts) => {
    expect(code(() => RingBuffer.create(opts))).toBe('EINVAL');
  });

  it('names the field and the fix in the message', () => {
    expect(() => RingBuffer.create({ cpus: 1, subbufSize: 100 })).toThrow(/subbufSize.*power of two/);
  });

  it('rounds buffer_size_kb up to a power-of-two page count', () => {
    const ring = RingBuffer.create({ cpus: 1, bufferSizeKb: 1408 });
    expect(ring.params.subbufsPerCpu).toBe(512);
  });

  it('rejects an event too big for a sub-buffer with E2BIG, and keeps what was recorded', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 2 });
    expect(ring.write(0, 1, new Uint8Array([1, 2, 3]), 5)).toBe(true);
    expect(code(() => ring.reserve(0, 256, 1))).toBe('E2BIG');
    expect(() => ring.reserve(0, 100_000, 1)).toThrow(/exceeds 208 B/);
    expect(ring.reserve(0, 208, 1, 5)).not.toBeNull();
    const rec = ring.consume(0);
    expect(rec).toMatchObject({ kind: 'event', type: 1, tsNs: 5 });
  });

  it.each([
    ['negative length', (r: RingBuffer) => r.reserve(0, -1, 1)],
    ['fractional length', (r: RingBuffer) => r.reserve(0, 1.5, 1)],
    ['type over 255', (r: RingBuffer) => r.reserve(0, 8, 256)],
    ['cpu out of range', (r: RingBuffer) => r.reserve(2, 8, 1)],
    ['consume on a bad cpu', (r: RingBuffer) => r.consume(-1)],
    ['commit of nothing pending', (r: RingBuffer) => r.commit({ cpu: 0, offset: 32, h0: 8, h1: 0 })],
  ])('rejects %s with EINVAL', (_name, fn) => {
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 256, subbufsPerCpu: 2 });
    expect(code(() => fn(ring))).toBe('EINVAL');
  });

  it('rejects a second commit of the same reservation', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 2 });
    const r = ring.reserve(0, 8, 1)!;
    const ref = r.toRef();
    ring.commit(r);
    expect(code(() => ring.commit(ref))).toBe('EINVAL');
    expect(ring.stats(0).entries).toBe(1);
  });

  it('swap and spare reads without a spare buffer are ENODEV', () => {
    const ring = RingBuffer.create({ cpus: 1 });
    expect(code(() => ring.swapCpu(0))).toBe('ENODEV');
    expect(code(() => ring.consume(0, 'spare'))).toBe('ENODEV');
  });

  it('attach rejects wrong magic, wrong version, and foreign objects with EINVAL', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 2 });
    const h = ring.handle;
    // A copy of the ring's memory with one header word changed.
    const copyWith = (word: number, value: number): RingHandle => {
      const memory = new WebAssembly.Memory({ initial: h.memory.buffer.byteLength / 65536, maximum: h.memory.buffer.byteLength / 65536, shared: true });
      new Uint8Array(memory.buffer).set(new Uint8Array(h.memory.buffer));
      new Int32Array(memory.buffer)[word] = value;
      return { ...h, memory };
    };
    expect(RingBuffer.attach(copyWith(7, 0)).params).toEqual(h.params); // the copy itself attaches (word 7 is a spare param)
    expect(() => RingBuffer.attach(copyWith(0, 0x12345678))).toThrow(/bad magic/);
    expect(code(() => RingBuffer.attach(copyWith(1, 99)))).toBe('EINVAL');
    expect(code(() => RingBuffer.attach({ ...h, version: RING_VERSION + 1 }))).toBe('EINVAL');
    expect(code(() => RingBuffer.attach({ ...h, dataOffset: h.dataOffset + 8 }))).toBe('EINVAL');
    expect(code(() => RingBuffer.attach({ ...h, memory: new SharedArrayBuffer(8) as unknown as RingHandle['memory'] }))).toBe('EINVAL');
    const small = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 2 }).handle; // a 64 KiB memory
    expect(code(() => RingBuffer.attach({ ...h, params: { ...h.params, subbufsPerCpu: 32 }, memory: small.memory }))).toBe('EINVAL');
    expect(code(() => RingBuffer.attach({ ...h, params: { ...h.params, cpus: 2 } }))).toBe('EINVAL');
    expect(code(() => RingBuffer.attach({} as RingHandle))).toBe('EINVAL');
    expect(RingBuffer.attach(structuredClone(h)).params).toEqual(h.params);
  });

  it('waitForDataAsync rejects a bad cpu instead of throwing', async () => {
    const ring = RingBuffer.create({ cpus: 1 });
    await expect(ring.waitForDataAsync(3)).rejects.toBeInstanceOf(KernelError);
  });
});
