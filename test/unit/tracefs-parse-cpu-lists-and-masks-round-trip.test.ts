// Claims about the cpu list and cpu mask parsers of src/tracefs/parse.ts: kernel forms are
// accepted, bad input is EINVAL with a hint naming the valid range, format∘parse is the identity.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errno.js';
import { formatCpuList, formatCpuMask, parseCpuList, parseCpuMask } from '../../src/tracefs/parse.js';

/** Run `fn`, expect a KernelError EINVAL, and return it for further checks. */
function einval(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KernelError);
    const e = err as KernelError;
    expect(e.code).toBe('EINVAL');
    expect(e.errno).toBeLessThan(0);
    return e;
  }
  throw new Error('expected EINVAL, nothing was thrown');
}

/** Any subset of 0..nrCpus-1, with nrCpus up to 200 (several 32-bit mask groups). */
const cpuSet = fc
  .integer({ min: 1, max: 200 })
  .chain((nrCpus) =>
    fc.tuple(fc.constant(nrCpus), fc.uniqueArray(fc.integer({ min: 0, max: nrCpus - 1 }), { maxLength: nrCpus })),
  );

describe('parseCpuList', () => {
  it.each([
    ['0-3,5,7-8', 16, [0, 1, 2, 3, 5, 7, 8]],
    ['0-3,5,7-8\n', 16, [0, 1, 2, 3, 5, 7, 8]],
    ['  2 \n', 4, [2]],
    ['3,1,1,0-1', 4, [0, 1, 3]],
    ['0', 1, [0]],
    ['5-5', 8, [5]],
    ['0-63', 64, Array.from({ length: 64 }, (_, i) => i)],
  ])('parses %j with %i cpus into sorted unique cpus', (text, nr, want) => {
    expect(parseCpuList(text, nr)).toEqual(want);
  });

  it.each(['3-1', 'a', '', '\n', '1,,2', '1,', '-1', '1-', '0x1', '1 - 2', '+1', '1.0'])(
    'rejects %j with EINVAL and shows the accepted form',
    (text) => {
      const e = einval(() => parseCpuList(text, 8));
      expect(e.detail).toMatch(/0-3,5/);
    },
  );

  it('rejects a cpu beyond nrCpus and states the valid range', () => {
    const e = einval(() => parseCpuList('0-8', 8, { path: 'osnoise/cpus' }));
    expect(e.detail).toMatch(/cpu 8 does not exist; valid cpus are 0-7/);
    expect(e.message).toMatch(/^write EINVAL: osnoise\/cpus — /);
  });

  it('names the syscall and path it is given', () => {
    const e = einval(() => parseCpuList('x', 2, { syscall: 'tracelab', path: '--cpus' }));
    expect(e.syscall).toBe('tracelab');
    expect(e.path).toBe('--cpus');
  });

  it('formats in the kernel compact form', () => {
    expect(formatCpuList([0, 1, 2, 3, 5])).toBe('0-3,5');
    expect(formatCpuList([5, 3, 2, 1, 0, 0])).toBe('0-3,5');
    expect(formatCpuList([2, 3])).toBe('2-3');
    expect(formatCpuList([7])).toBe('7');
    expect(formatCpuList([])).toBe('');
  });

  it('round-trips: parse(format(cpus)) is the sorted set, format(parse(text)) is canonical', () => {
    fc.assert(
      fc.property(cpuSet, ([nrCpus, cpus]) => {
        fc.pre(cpus.length > 0);
        const text = formatCpuList(cpus);
        expect(parseCpuList(text, nrCpus)).toEqual([...cpus].sort((a, b) => a - b));
        expect(formatCpuList(parseCpuList(`${text}\n`, nrCpus))).toBe(text);
      }),
      { seed: 0x7ace, numRuns: 300 },
    );
  });

  it('accepts any list of in-range items and ranges in any order, with duplicates', () => {
    const item = (nr: number) =>
      fc.oneof(
        fc.integer({ min: 0, max: nr - 1 }).map((c) => ({ text: `${c}`, cpus: [c] })),
        fc
          .tuple(fc.integer({ min: 0, max: nr - 1 }), fc.integer({ min: 0, max: nr - 1 }))
          .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
          .map(([lo, hi]) => ({ text: `${lo}-${hi}`, cpus: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) })),
      );
    const lists = fc.integer({ min: 1, max: 96 }).chain((nr) => fc.tuple(fc.constant(nr), fc.array(item(nr), { minLength: 1, maxLength: 8 })));
    fc.assert(
      fc.property(lists, ([nr, items]) => {
        const want = [...new Set(items.flatMap((i) => i.cpus))].sort((a, b) => a - b);
        expect(parseCpuList(items.map((i) => i.text).join(','), nr)).toEqual(want);
      }),
      { seed: 0x5eed, numRuns: 300 },
    );
  });
});

describe('parseCpuMask / formatCpuMask', () => {
  it.each([
    [[0, 1, 2, 3], 4, 'f'],
    [[0, 1, 2, 3], 8, '0f'],
    [[], 8, '00'],
    [[0], 1, '1'],
    [[0, 1, 2, 3, 4, 5, 6, 7], 32, '000000ff'],
    [[32], 40, '01,00000000'],
    [[0, 63], 64, '80000000,00000001'],
    [[64], 65, '1,00000000,00000000'],
  ])('formats %j with %i cpus as the kernel prints it: %s', (cpus, nr, want) => {
    expect(formatCpuMask(cpus, nr)).toBe(want);
    expect(parseCpuMask(want, nr)).toEqual(cpus);
  });

  it('parses short, unpadded and uppercase groups, with a trailing newline', () => {
    expect(parseCpuMask('FF\n', 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(parseCpuMask('1,1', 64)).toEqual([0, 32]);
    expect(parseCpuMask('00000000,00000000,00000004', 8)).toEqual([2]);
  });

  it.each(['', 'g', '0x3', '123456789', '1,,2', ',1', '1,', 'f f'])('rejects %j with EINVAL', (text) => {
    const e = einval(() => parseCpuMask(text, 8));
    expect(e.detail).toMatch(/expected a hex cpu mask .*widest: ff/);
  });

  it('rejects a mask that sets a cpu beyond nrCpus and states the valid range', () => {
    const e = einval(() => parseCpuMask('1f', 4, { path: '/proc/irq/default_smp_affinity' }));
    expect(e.detail).toMatch(/mask sets cpu 4, which does not exist; valid cpus are 0-3/);
  });

  it('round-trips: parse(format(cpus)) is the sorted set, and format is canonical', () => {
    fc.assert(
      fc.property(cpuSet, ([nrCpus, cpus]) => {
        const text = formatCpuMask(cpus, nrCpus);
        expect(text).toMatch(/^[0-9a-f]{1,8}(,[0-9a-f]{8})*$/);
        expect(text.split(',')).toHaveLength(Math.ceil(nrCpus / 32));
        expect(parseCpuMask(text, nrCpus)).toEqual([...cpus].sort((a, b) => a - b));
        expect(formatCpuMask(parseCpuMask(text.toUpperCase(), nrCpus), nrCpus)).toBe(text);
      }),
      { seed: 0xc0de, numRuns: 300 },
    );
  });

  it('agrees with the list form on every cpu set', () => {
    fc.assert(
      fc.property(cpuSet, ([nrCpus, cpus]) => {
        fc.pre(cpus.length > 0);
        expect(parseCpuMask(formatCpuMask(cpus, nrCpus), nrCpus)).toEqual(parseCpuList(formatCpuList(cpus), nrCpus));
      }),
      { seed: 0xbeef, numRuns: 200 },
    );
  });
});
