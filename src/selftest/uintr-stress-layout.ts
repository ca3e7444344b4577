// The shared words of `tracelab stress uintr` (one SAB the runner allocates and every stress task
// attaches): global control words, then one block per receiver. Declared once here; imported by the
// runner (control plane) and the stress programs (task workers).
//
// | i32 index          | written by            | read by         | meaning                                   |
// | 0 GO               | runner                | tasks           | 1: start the storm                        |
// | 1 STOP             | runner                | tasks           | 1: senders stop; 2: receivers drain, exit |
// | 2 READY            | tasks (add)           | runner          | tasks set up (receivers: fds published)   |
// | 3 STORMING         | runner                | receivers       | 1 while senders are posting               |
// | HDR + r·BLOCK + …  | see RX_* below        |                 | receiver r's block                        |

/** Global words. */
export const GO = 0;
export const STOP = 1;
export const READY = 2;
export const STORMING = 3;
/** Words before the first receiver block. */
export const HDR = 8;

/** Per receiver block: gen[64] (senders add before each post), seen[64] (gen read by the handler at
 * delivery), deliveries[64], then misc words. */
export const RX_GEN = 0;
export const RX_SEEN = 64;
export const RX_DELIVERED = 128;
/** Highest handler nesting depth seen (must stay 1). */
export const RX_MAX_DEPTH = 192;
/** Handler calls while the receiver had clui'd (must stay 0). */
export const RX_MASKED_DELIVERIES = 193;
/** uintr_wait calls that slept to their bound while the storm ran the whole time (lost wake-ups). */
export const RX_LOST_WAKEUPS = 194;
/** uintr_wait calls that returned EINTR. */
export const RX_WAITS_WOKEN = 195;
/** clui/stui rounds. */
export const RX_MASK_ROUNDS = 196;
/** fd number for vector v at RX_FD + v (0: no fd). */
export const RX_FD = 200;
/** i32 words per receiver block. */
export const BLOCK = 264;

/** Words of a table for `receivers` receivers. */
export function stressWords(receivers: number): number {
  return HDR + receivers * BLOCK;
}

/** Base index of receiver r's block. */
export function rxBase(r: number): number {
  return HDR + r * BLOCK;
}
