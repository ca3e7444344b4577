// lab.timerlat.setNoise() refuses exactly what osnoise/noise and osnoise/noise_mask refuse (EINVAL,
// nothing changes), on a real lab: a spec the file rejects used to be accepted by the API and could
// freeze every CPU's timer (duration ≥ period).
import { describe, expect, it } from 'vitest';
import type { NoiseSpec } from '../../src/index.js';
import { code } from '../helpers/errno-code.js';
import { useLabs } from '../helpers/lab-fixture.js';

const bad: Array<[string, unknown]> = [
  ['duration ≥ period', { kind: 'irq', durationUs: 2000, periodUs: 1000 }],
  ['duration = period', { kind: 'thread', durationUs: 1000, periodUs: 1000 }],
  ['unknown kind', { kind: 'bogus', durationUs: 1, periodUs: 1000 }],
  ['NaN duration', { kind: 'irq', durationUs: NaN, periodUs: 1000 }],
  ['negative duration', { kind: 'irq', durationUs: -5, periodUs: 1000 }],
  ['zero period', { kind: 'irq', durationUs: 0, periodUs: 0 }],
  ['Infinity period', { kind: 'irq', durationUs: 1, periodUs: Infinity }],
  ['string duration', { kind: 'irq', durationUs: '5', periodUs: 1000 }],
  ['fractional seed', { kind: 'irq', durationUs: 1, periodUs: 1000, random: true, seed: 1.5 }],
  ['name with a space', { kind: 'irq', durationUs: 1, periodUs: 1000, name: 'a b' }],
  ['null entry', null],
];

describe('lab.timerlat.setNoise checks like osnoise/noise', () => {
  const boot = useLabs();

  it('refuses every spec the file refuses, with EINVAL, and keeps the noise it had', async () => {
    const lab = await boot({ cpus: 2 });
    const good: NoiseSpec = { kind: 'thread', durationUs: 100, periodUs: 50_000, name: 'kept' };
    await lab.timerlat.setNoise([good], [1]);
    const before = await lab.tracefs.read('osnoise/noise');
    expect(before).toBe('thread:100us/50000us:name=kept\n');
    for (const [what, spec] of bad) {
      const err = await lab.timerlat.setNoise([good, spec as NoiseSpec]).catch((e: unknown) => e);
      expect(err, what).toMatchObject({ code: 'EINVAL', path: 'osnoise/noise' });
      expect((err as Error).message, what).toMatch(/expected KIND:DURATION\/PERIOD/);
    }
    expect(await lab.tracefs.read('osnoise/noise')).toBe(before);
    expect(lab.timerlat.noise.mask).toEqual([1]);
    // The file path refuses the same first case.
    expect(await code(lab.tracefs.write('osnoise/noise', 'irq:2000/1000'))).toBe('EINVAL');
  });

  it.each([[[7]], [[2]], [[-1]], [[0.5]], [[NaN]]])('refuses the noise mask %j on a 2-CPU lab like osnoise/noise_mask does', async (mask) => {
    const lab = await boot({ cpus: 2 });
    const err = await lab.timerlat.setNoise([], mask).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EINVAL', path: 'osnoise/noise_mask' });
    expect(lab.timerlat.noise.mask).toEqual([0, 1]);
    expect(await lab.tracefs.read('osnoise/noise_mask')).toBe('0-1\n');
  });

  it('an accepted spec reads back in a form the file accepts (sub-µs times as ns)', async () => {
    const lab = await boot({ cpus: 1 });
    await lab.timerlat.setNoise([{ kind: 'irq', durationUs: 0.5, periodUs: 1000 }], [0, 0]);
    const text = await lab.tracefs.read('osnoise/noise');
    expect(text).toBe('irq:500ns/1000us\n');
    expect(lab.timerlat.noise.mask).toEqual([0]);
    await lab.tracefs.write('osnoise/noise', text);
    expect(lab.timerlat.noise.sources).toMatchObject([{ kind: 'irq', durationUs: 0.5, periodUs: 1000 }]);
  });
});
