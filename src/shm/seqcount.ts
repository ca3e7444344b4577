// A seqcount (include/linux/seqlock.h: write_seqcount_begin/read_seqcount_retry) for multi-word
// snapshots. One writer per sequence word; any number of readers, who retry on a torn read.
// Data words are plain (Float64Array) stores; the sequence word orders them (publish / acquire).

/** Begin a write: the sequence goes odd. Single writer. */
export function writeBegin(seq: Int32Array, index: number): void {
  Atomics.add(seq, index, 1); // single writer; odd = write in progress
}

/** End a write: the sequence goes even again. Single writer. */
export function writeEnd(seq: Int32Array, index: number): void {
  Atomics.add(seq, index, 1); // publish: data stores above become visible with the even value
}

/**
 * Read a consistent snapshot: `read()` is retried while a write is in progress or raced us.
 * Gives up after `maxRetries` and returns the last (possibly torn) read with `torn: true`.
 */
export function readConsistent<T>(seq: Int32Array, index: number, read: () => T, maxRetries = 10_000): { value: T; torn: boolean } {
  let value = read();
  for (let i = 0; i < maxRetries; i++) {
    const s1 = Atomics.load(seq, index); // acquire
    if ((s1 & 1) !== 0) continue;
    value = read();
    if (Atomics.load(seq, index) === s1) return { value, torn: false }; // acquire: nothing wrote meanwhile
  }
  return { value, torn: true };
}
