import { describe, expect, it } from 'vitest';
import { clockNs } from '../../src/shm/clock.js';
import { sleep, take, pending } from '../../src/shm/doorbell.js';
import { readConsistent, writeBegin, writeEnd } from '../../src/shm/seqcount.js';
import { cancel, kick, waitWord, waitWordAsync } from '../../src/shm/wait.js';

const words = (): Int32Array => new Int32Array(new SharedArrayBuffer(64));

describe('waitWord', () => {
  it("returns 'ok' at once when the word already differs", () => {
    const w = words();
    w[0] = 5;
    expect(waitWord(w, 0, 4)).toBe('ok');
  });

  it("returns 'timed-out' only once the deadline has passed", () => {
    const w = words();
    const deadline = clockNs() + 3e6;
    expect(waitWord(w, 0, 0, { deadlineNs: deadline })).toBe('timed-out');
    expect(clockNs()).toBeGreaterThanOrEqual(deadline);
  });

  it("returns 'cancelled' when the cancel bits are set, before sleeping", () => {
    const w = words();
    w[1] = 0b100;
    expect(waitWord(w, 0, 0, { deadlineNs: clockNs() + 5e9, cancel: { view: w, index: 1, mask: 0b100 } })).toBe('cancelled');
    expect(waitWord(w, 0, 0, { deadlineNs: clockNs() + 1e6, cancel: { view: w, index: 1, mask: 0b010 } })).toBe('timed-out');
  });

  it("timeoutMs sleeps once for about that long and reports 'timed-out', or 'cancelled' when set", () => {
    const w = words();
    expect(waitWord(w, 0, 0, { timeoutMs: 2 })).toBe('timed-out');
    w[1] = 1;
    expect(waitWord(w, 0, 0, { timeoutMs: 1000, cancel: { view: w, index: 1 } })).toBe('cancelled');
  });

  it('the async form is woken by kick and by cancel', async () => {
    const w = words();
    const p = waitWordAsync(w, 0, 0, { deadlineNs: clockNs() + 5e9 });
    kick(w, 0);
    expect(await p).toBe('ok');
    const q = waitWordAsync(w, 0, Atomics.load(w, 0), { deadlineNs: clockNs() + 5e9, cancel: { view: w, index: 1 } });
    cancel({ view: w, index: 1 }, [[w, 0]]);
    expect(await q).toBe('cancelled');
  });
});

describe('doorbell and seqcount (single thread)', () => {
  it('sleep returns at once when bits are pending; take clears them', () => {
    const w = words();
    w[0] = 6;
    expect(sleep(w, 0, clockNs() + 5e9)).toBe('ok');
    expect(pending(w, 0)).toBe(6);
    expect(take(w, 0)).toBe(6);
    expect(pending(w, 0)).toBe(0);
    expect(w[1]).toBe(0); // the sleeping flag is cleared on the way out
  });

  it('readConsistent reports a torn read when a writer never finishes', () => {
    const w = words();
    writeBegin(w, 0);
    expect(readConsistent(w, 0, () => 1, 10)).toEqual({ value: 1, torn: true });
    writeEnd(w, 0);
    expect(readConsistent(w, 0, () => 2)).toEqual({ value: 2, torn: false });
  });
});
