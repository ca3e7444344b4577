// Lab fixture for tests: boot with a bound, shut down after each test and assert no worker is left,
// and name the built fixture programs the task workers load from dist/.
import { afterEach, expect } from 'vitest';
import { Lab, type LabOptions } from '../../src/index.js';

/** URL of a built task program (the self-test programs in dist/src/selftest/programs). */
export function fixture(name: string): URL {
  return new URL(`../../dist/src/selftest/programs/${name.replace(/^task-/, '')}.js`, import.meta.url);
}

/** Reject when `p` does not settle within `ms` (a test bound, not a speed claim). */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Boot labs inside a test file; each is shut down after its test, and must leave no worker. */
export function useLabs(): (opts?: LabOptions) => Promise<Lab> {
  const labs: Lab[] = [];
  afterEach(async () => {
    const all = labs.splice(0);
    await within(20_000, 'lab.shutdown()', Promise.all(all.map((l) => l.shutdown())));
    for (const l of all) expect(l.workers).toEqual({ cpu: 0, task: 0 });
  });
  return async (opts) => {
    const lab = await Lab.boot(opts);
    labs.push(lab);
    return lab;
  };
}
