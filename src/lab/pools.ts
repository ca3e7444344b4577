// The two piscina pools: a fixed pool of CPU actors (one long task per worker) and a pool of
// user-task actors (one task per worker at a time, so SIGKILL can terminate exactly that worker).
// Control plane only. The pools never import the actor files, only their URLs in dist/.
import { Piscina } from 'piscina';

/** URL of a built actor (`dist/actors/NAME.js`), whether this module runs from dist/ or from sources under vitest. */
export function actorUrl(name: 'cpu' | 'task'): URL {
  const here = import.meta.url;
  const fromDist = /\/dist\/src\/lab\/[^/]+$/.test(here);
  return new URL(fromDist ? `../../actors/${name}.js` : `../../dist/actors/${name}.js`, here);
}

/** A fixed pool of `cpus` workers for the CPU actors. */
export function createCpuPool(cpus: number): Piscina {
  return new Piscina({
    filename: actorUrl('cpu').href,
    name: 'default',
    minThreads: cpus,
    maxThreads: cpus,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.MAX_SAFE_INTEGER,
    maxQueue: cpus,
    atomics: 'disabled', // the actor blocks in its own Atomics.wait loop for the whole task
  });
}

/** A pool for user tasks, up to `maxTasks` workers; idle workers retire after `idleMs`. */
export function createTaskPool(maxTasks: number, idleMs = 2000): Piscina {
  return new Piscina({
    filename: actorUrl('task').href,
    name: 'default',
    minThreads: 0,
    maxThreads: maxTasks,
    concurrentTasksPerWorker: 1,
    idleTimeout: idleMs,
    maxQueue: 'auto',
    atomics: 'disabled',
  });
}
