// Claim: clockNs() (process.hrtime() split into seconds and nanoseconds) is exactly
// CLOCK_MONOTONIC - clockEpochNs(): every reading lies between two BigInt readings of the same clock
// taken around it, it never goes backwards, and it is a double above 2^32 from the first call.
import { describe, expect, it } from 'vitest';
import { clockEpochNs, clockNs } from '../../src/shm/clock.js';

describe('clockNs', () => {
  it('lies between BigInt readings of CLOCK_MONOTONIC taken around it, and never goes backwards', () => {
    const origin = clockEpochNs();
    let last = 0;
    for (let i = 0; i < 20_000; i++) {
      const before = Number(process.hrtime.bigint() - origin);
      const t = clockNs();
      const after = Number(process.hrtime.bigint() - origin);
      expect(Number.isInteger(t)).toBe(true);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
    expect(last).toBeGreaterThan(2 ** 32);
  });
});
