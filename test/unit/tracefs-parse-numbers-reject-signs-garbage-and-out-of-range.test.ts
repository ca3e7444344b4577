// Claims about the number, switch and time parsers of src/tracefs/parse.ts: decimal only,
// a trailing newline is fine, anything else is EINVAL with a hint naming the accepted form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errno.js';
import { parseBool01, parseDuration, parseTimeUs, parseUnsigned } from '../../src/tracefs/parse.js';

/** Run `fn`, expect a KernelError EINVAL, and return it for further checks. */
function einval(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).code).toBe('EINVAL');
    return err as KernelError;
  }
  throw new Error('expected EINVAL, nothing was thrown');
}

describe('parseUnsigned', () => {
  const period = { min: 100, max: 1_000_000 };

  it.each([
    ['1000', 1000],
    ['1000\n', 1000],
    [' 100 ', 100],
    ['0001000', 1000],
    ['1000000', 1_000_000],
  ])('parses %j as %i', (text, want) => {
    expect(parseUnsigned(text, period)).toBe(want);
  });

  it.each(['-5', '+5', '5.0', '1e3', '0x10', 'ten', '', '\n', '5 5', '５'])(
    'rejects %j as not a number, stating the range',
    (text) => {
      const e = einval(() => parseUnsigned(text, period, { path: 'osnoise/timerlat_period_us' }));
      expect(e.detail).toMatch(/expected a decimal whole number in \[100, 1000000\]/);
      expect(e.message).toMatch(/^write EINVAL: osnoise\/timerlat_period_us — /);
    },
  );

  it.each(['99', '1000001', '99999999999999999999'])('rejects %j as out of range', (text) => {
    expect(einval(() => parseUnsigned(text, period)).detail).toMatch(/out of range; .*\[100, 1000000\]/);
  });

  it('defaults to [0, MAX_SAFE_INTEGER]', () => {
    expect(parseUnsigned('0')).toBe(0);
    expect(parseUnsigned(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    einval(() => parseUnsigned(String(Number.MAX_SAFE_INTEGER + 1)));
  });

  it('rejects a malformed range as a programming error, not EINVAL', () => {
    expect(() => parseUnsigned('1', { min: 5, max: 1 })).toThrow(RangeError);
  });

  it('parses every in-range decimal and rejects every out-of-range one', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2_000_000 }), fc.boolean(), (n, newline) => {
        const text = `${n}${newline ? '\n' : ''}`;
        if (n >= period.min && n <= period.max) expect(parseUnsigned(text, period)).toBe(n);
        else einval(() => parseUnsigned(text, period));
      }),
      { seed: 0x1234, numRuns: 300 },
    );
  });
});

describe('parseBool01', () => {
  it('reads 0 and 1, with a trailing newline as echo writes them', () => {
    expect(parseBool01('0')).toBe(false);
    expect(parseBool01('1\n')).toBe(true);
  });

  it.each(['2', 'on', 'true', '', '01', '-1'])('rejects %j and says 0 or 1', (text) => {
    expect(einval(() => parseBool01(text, { path: 'tracing_on' })).detail).toMatch(/expected 0 or 1$/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['10', 10],
    ['10s', 10],
    ['2m', 120],
    ['1h', 3600],
    ['1d', 86400],
    ['3M', 180],
    ['0', 0],
    ['5s\n', 5],
  ])('reads %j as %i seconds', (text, want) => {
    expect(parseDuration(text)).toBe(want);
  });

  it.each(['', 's', '-1', '1.5m', '10 s', '1w', '1ms', '10ss'])('rejects %j and lists the accepted forms', (text) => {
    expect(einval(() => parseDuration(text, { syscall: 'tracelab', path: '--duration' })).detail).toMatch(
      /expected a duration like 10, 10s, 2m, 1h or 1d/,
    );
  });

  it('scales every whole number by its unit', () => {
    const units = { '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const;
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[])), (n, u) => {
        expect(parseDuration(`${n}${u}`)).toBe(n * units[u]);
      }),
      { seed: 0xd00d, numRuns: 200 },
    );
  });
});

describe('parseTimeUs', () => {
  it.each([
    ['100', 100],
    ['100us', 100],
    ['1ms', 1000],
    ['2s', 2_000_000],
    ['500ns', 0.5],
    ['1ns', 0.001],
    ['0', 0],
    ['50us\n', 50],
  ])('reads %j as %f µs', (text, want) => {
    expect(parseTimeUs(text)).toBe(want);
  });

  it.each(['', 'us', '-5us', '1.5ms', '10 us', '10US', '1m', '1h', '5µs'])('rejects %j and lists the accepted units', (text) => {
    expect(einval(() => parseTimeUs(text)).detail).toMatch(/500ns, 100us, 1ms, 2s/);
  });

  it('agrees across units: n ms = 1000·n us = n·10⁶ ns', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), (n) => {
        expect(parseTimeUs(`${n}ms`)).toBe(parseTimeUs(`${n * 1000}us`));
        expect(parseTimeUs(`${n * 1000}ns`)).toBe(parseTimeUs(`${n}`));
      }),
      { seed: 0xabc, numRuns: 200 },
    );
  });
});
