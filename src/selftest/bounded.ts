// The one bound every self-test and stress run puts on a wait for another thread or worker: the
// promise, or a rejection naming what did not finish. Control plane (main thread) only.

/** `p`, or a rejection `${what}: not done within ${ms} ms` when it has not settled by then. */
export async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
