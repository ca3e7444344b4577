// Claim: the ALL row (mergeContext, shared by top, hist, JSON and HTML) pools exactly the per-CPU rows
// it is given: count is their sum, avg and stddev equal the direct ones over all their samples, the
// avg lies between the rows' means and never above the max, whatever the `sumNs` field says (it was
// read at another moment than the summary in the run that printed `ALL avg 1120, max 142, stddev 0`).
// Pure code; the samples come from a seeded PRNG printed on failure.
import { describe, expect, it } from 'vitest';
import { mergeContext } from '../../src/report/timerlat-format.js';
import type { ContextResult, CpuResult } from '../../src/report/timerlat-types.js';
import { BUCKETS, bucketBounds, bucketOf } from '../../src/tracers/latency-stats.js';
import { mulberry32, randInt, testSeed, withSeed } from '../helpers/seeded-rng.js';

const layout = bucketBounds();

function ctx(ns: number[], staleSumNs?: number): ContextResult {
  const hist = new Array<number>(BUCKETS).fill(0);
  for (const x of ns) hist[bucketOf(x)]! += 1;
  const sum = ns.reduce((a, b) => a + b, 0);
  const avg = sum / ns.length;
  const summary = {
    count: ns.length, minNs: Math.min(...ns), avgNs: avg, maxNs: Math.max(...ns), curNs: ns[ns.length - 1]!,
    stddevNs: Math.sqrt(ns.reduce((a, x) => a + x * x, 0) / ns.length - avg * avg), p50Ns: null, p90Ns: null, p99Ns: null, p999Ns: null,
  };
  return { summary, hist, sumNs: staleSumNs ?? sum };
}

const none = (): ContextResult => ({ hist: new Array<number>(BUCKETS).fill(0), sumNs: 0, summary: { count: 0, minNs: null, avgNs: null, maxNs: null, curNs: null, stddevNs: null, p50Ns: null, p90Ns: null, p99Ns: null, p999Ns: null } });

describe('the ALL row', () => {
  it('pools the rows it merges: count, avg and stddev as over all their samples, avg within the rows\' means and ≤ max', () => {
    const seed = testSeed(0xa11);
    const rng = mulberry32(seed);
    for (let round = 0; round < 50; round++) {
      const samples = [0, 1, 2].map(() => Array.from({ length: randInt(rng, 1, 40) }, () => randInt(rng, 1_000, 3_000_000)));
      // A stale sumNs (a later read with more samples) must not leak into the merge.
      const cpus: CpuResult[] = samples.map((s, cpu) => ({ cpu, irq: ctx(s, round % 2 === 0 ? s.reduce((a, b) => a + b, 0) * 7 : undefined), thread: none(), user: none(), skipped: 0, noWaiter: 0 }));
      const all = mergeContext(cpus, 'irq', layout).summary;
      const flat = samples.flat();
      const n = flat.length;
      const mean = flat.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(flat.reduce((a, x) => a + (x - mean) ** 2, 0) / n);
      const say = (m: string): string => withSeed(seed, `round ${round}: ${m}`);
      expect(all.count, say('count')).toBe(n);
      expect(all.avgNs!, say('avg')).toBeCloseTo(mean, 3);
      expect(all.stddevNs!, say('stddev')).toBeCloseTo(sd, 0);
      expect(all.maxNs, say('max')).toBe(Math.max(...flat));
      expect(all.minNs, say('min')).toBe(Math.min(...flat));
      const means = cpus.map((c) => c.irq.summary.avgNs!);
      expect(all.avgNs!, say('avg ≥ the lowest row mean')).toBeGreaterThanOrEqual(Math.min(...means) - 1e-6);
      expect(all.avgNs!, say('avg ≤ the highest row mean')).toBeLessThanOrEqual(Math.max(...means) + 1e-6);
      expect(all.avgNs!, say('avg ≤ max')).toBeLessThanOrEqual(all.maxNs!);
    }
  });
});
