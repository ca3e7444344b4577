// What a reader returns: the reusable EventView (one per bank, valid until the next reader call on
// that CPU) and the standalone TraceRecord copy, with ftrace's text for a loss record.
// Types and plain objects only; any thread.
import type { LostReason, PendingLoss } from './cursor.js';

/** A record as the reusable view returns it: valid until the next reader call on that CPU. */
export class EventView {
  kind: 'event' | 'lost' = 'event';
  cpu = 0;
  bank = 0;
  /** Event timestamp (ns); for a loss record, the time it was noticed is not known, so -Infinity. */
  tsNs = 0;
  type = 0;
  payloadLength = 0;
  /** Scratch holding the payload in [0, payloadLength). */
  readonly payload: Uint8Array;
  /** @internal The same scratch as whole words, for the copy. */
  readonly payload32: Int32Array;
  lostCount = 0;
  lostReason: LostReason = 'overrun';
  /** @internal */ valid = false;
  /** @internal */ nextOff = 0;
  /** @internal */ readonly loss: PendingLoss = { reason: 'overrun', count: 0, field: 0 };
  constructor(maxPayloadBytes: number) {
    this.payload = new Uint8Array((maxPayloadBytes + 3) & ~3);
    this.payload32 = new Int32Array(this.payload.buffer);
  }
}

/** A record returned by copying APIs (`consume`, `peek`, `read`). */
export type TraceRecord =
  | { readonly kind: 'event'; readonly cpu: number; readonly tsNs: number; readonly type: number; readonly payload: Uint8Array }
  | { readonly kind: 'lost'; readonly cpu: number; readonly count: number; readonly reason: LostReason };

/** Copy a view into a standalone record. */
export function toRecord(v: EventView): TraceRecord {
  if (v.kind === 'lost') return { kind: 'lost', cpu: v.cpu, count: v.lostCount, reason: v.lostReason };
  return { kind: 'event', cpu: v.cpu, tsNs: v.tsNs, type: v.type, payload: v.payload.slice(0, v.payloadLength) };
}

/** ftrace's text for a loss record. */
export function formatLost(cpu: number, count: number): string {
  return `CPU:${cpu} [LOST ${count} EVENTS]`;
}
