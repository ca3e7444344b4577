// cpu_relax() for JavaScript: a short, bounded pause in a polling loop that touches no shared memory.
// Any thread. JS has no PAUSE instruction; this spins on the thread's own clock reads (27 ns each
// here, no allocation) until `ns` have passed. Never a wait: callers use it between two polls of a
// word another thread is about to write, so their polls stop pulling that cache line away.
import { clockNs } from './clock.js';

/** Spin for about `ns` nanoseconds (at least one clock read) without touching shared memory. */
export function cpuRelax(ns: number): void {
  const end = clockNs() + ns;
  while (clockNs() < end);
}
