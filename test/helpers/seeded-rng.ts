// mulberry32: a tiny seeded PRNG. Tests print the seed on failure so a run can be replayed.

import { mulberry32, type Rng } from '../../src/shm/prng.js';

export { mulberry32, type Rng };

/** A whole number in [lo, hi]. */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** The seed a test uses: TRACELAB_SEED from the environment, else the given default. */
export function testSeed(fallback: number): number {
  const env = process.env['TRACELAB_SEED'];
  return env !== undefined && /^\d+$/.test(env) ? Number(env) : fallback;
}

/** Prefix a failure message with the seed that reproduces it. */
export function withSeed(seed: number, message: string): string {
  return `[seed ${seed}; rerun with TRACELAB_SEED=${seed}] ${message}`;
}
