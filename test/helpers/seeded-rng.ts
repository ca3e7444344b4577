// mulberry32: a tiny seeded PRNG. Tests print the seed on failure so a run can be replayed.

/** A seeded generator of floats in [0, 1). */
export type Rng = () => number;

/** mulberry32 seeded with a 32-bit integer. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
