import { describe, expect, it } from 'vitest';
import { LayoutError, defineLayout } from '../../src/shm/layout.js';

describe('defineLayout', () => {
  const L = defineLayout('demo', 0x44454d4f, 3, { a: { kind: 'i32' }, b: { kind: 'f64', count: 2 }, c: { kind: 'i32', count: 3 }, d: { kind: 'i64' } });

  it('lays fields out after the header, each 8-byte aligned, and sizes the region', () => {
    expect(L.offset).toEqual({ a: 8, b: 16, c: 32, d: 48 });
    expect(L.index).toEqual({ a: 2, b: 2, c: 8, d: 6 });
    expect(L.BYTES).toBe(56);
  });

  it('allocate then attach sees the same memory', () => {
    const v = L.allocate();
    v.f64[L.index.b + 1] = 2.5;
    const w = L.attach(v.sab);
    expect(w.f64[L.index.b + 1]).toBe(2.5);
  });

  it('attach rejects a wrong magic, a wrong version, a short region, and a non-shared buffer', () => {
    const other = defineLayout('other', 0x1234, 3, { a: { kind: 'i32', count: 32 } }).allocate();
    expect(() => L.attach(other.sab)).toThrow(LayoutError);
    expect(() => L.attach(other.sab)).toThrow(/bad magic 0x1234, expected 0x44454d4f/);
    const v2 = defineLayout('demo', 0x44454d4f, 2, { a: { kind: 'i32' }, b: { kind: 'f64', count: 2 }, c: { kind: 'i32', count: 3 }, d: { kind: 'i64' } }).allocate();
    expect(() => L.attach(v2.sab)).toThrow(/version 2, this build reads version 3/);
    expect(() => L.attach(new SharedArrayBuffer(16))).toThrow(/needs 56/);
    expect(() => L.attach(new ArrayBuffer(64) as unknown as SharedArrayBuffer)).toThrow(/SharedArrayBuffer/);
    expect(new LayoutError('x').code).toBe('EINVAL');
  });
});
