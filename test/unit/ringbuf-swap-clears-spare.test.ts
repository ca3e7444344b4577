// Claim: swapCpu empties the spare before it goes live, so a second flight recording (swap again)
// holds only what was written since the first swap, never the first recording's leftovers. The
// skipped events are counted as overrun and reported in-band, so written == read + overrun still holds.
import { describe, expect, it } from 'vitest';
import { RingBuffer, type RingMode } from '../../src/ringbuf/index.js';

/** Write `n` events whose first payload byte is `tag` (u32 at 0) and second the index. */
function writeTagged(ring: RingBuffer, tag: number, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const r = ring.reserve(0, 8, 1);
    if (r === null) continue;
    r.setU32(0, tag);
    r.setU32(4, i);
    ring.commit(r);
    ok++;
  }
  return ok;
}

function tagsOf(events: ReadonlyArray<{ readonly payload: Uint8Array }>): number[] {
  return events.map((e) => new DataView(e.payload.buffer, e.payload.byteOffset).getUint32(0, true));
}

describe.each<RingMode>(['overwrite', 'discard'])('ringbuf swapCpu in %s mode', (mode) => {
  it('a second swap records only the events written since the first one', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 8, mode, spare: true });
    expect(writeTagged(ring, 1, 20)).toBe(20);
    ring.swapCpu(0); // first flight recording: tag 1 in the spare
    expect(tagsOf(ring.snapshot(0, 'spare'))).toEqual(Array(20).fill(1)); // looked at, not consumed (like lab.flightRecord)
    const live = ring.stats(0, 'live');
    expect([live.entries, live.bytes, live.oldestEventTsNs]).toEqual([0, 0, null]);
    expect(writeTagged(ring, 2, 7)).toBe(7);
    ring.swapCpu(0); // second recording: only tag 2
    expect(tagsOf(ring.snapshot(0, 'spare'))).toEqual(Array(7).fill(2));
    expect(ring.stats(0, 'spare').entries).toBe(7);
    // The bank now live held the unread first recording: empty, and the 20 events are an overrun.
    const now = ring.stats(0, 'live');
    expect([now.entries, now.bytes, now.oldestEventTsNs, now.overrun, now.readEvents]).toEqual([0, 0, null, 20, 0]);
    expect(ring.consume(0, 'live')).toMatchObject({ kind: 'lost', reason: 'overrun', count: 20 });
    expect(ring.consume(0, 'live')).toBeNull();
    // New events go to the cleared bank and are all there is to read from it.
    expect(writeTagged(ring, 3, 4)).toBe(4);
    const read: Array<{ payload: Uint8Array }> = [];
    for (let r = ring.consume(0, 'live'); r !== null; r = ring.consume(0, 'live')) if (r.kind === 'event') read.push(r);
    expect(tagsOf(read)).toEqual([3, 3, 3, 3]);
    expect(ring.stats(0, 'live').readEvents).toBe(4);
  });

  it('a full spare goes live with room for new events (discard mode frees its pages)', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 4, mode, spare: true });
    writeTagged(ring, 1, 200); // more than 4 pages hold
    ring.swapCpu(0);
    ring.swapCpu(0); // the full bank comes back: it must start empty
    expect(ring.stats(0, 'live').entries).toBe(0);
    expect(writeTagged(ring, 2, 10)).toBe(10); // no drop
    const a = ring.stats(0, 'live');
    expect(a.entries).toBe(10);
    // Every attempt is accounted for: the 10 unread new ones, what the clear skipped, and the first fill's losses.
    expect(10 + a.overrun + a.droppedEvents + a.commitOverrun).toBe(210);
  });

  it('losses pending in the cleared bank are still reported to its next reader', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 2, mode, spare: true });
    writeTagged(ring, 1, 100); // overflows 2 pages: overrun (overwrite) or dropped (discard)
    const before = ring.stats(0, 'live');
    const lostBefore = before.overrun + before.droppedEvents;
    expect(lostBefore).toBeGreaterThan(0);
    ring.swapCpu(0);
    ring.swapCpu(0);
    const after = ring.stats(0, 'live');
    expect(after.entries).toBe(0);
    let inBand = 0;
    for (let r = ring.consume(0); r !== null; r = ring.consume(0)) {
      expect(r.kind).toBe('lost');
      if (r.kind === 'lost') inBand += r.count;
    }
    expect(inBand).toBe(100); // every event was lost: before the swap, or skipped by the clear
    expect(after.overrun + after.droppedEvents).toBe(100);
  });

  it('a commit in flight across the swap still lands in the bank it reserved in', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 4, mode, spare: true });
    const r = ring.reserve(0, 8, 1)!;
    r.setU32(0, 9);
    ring.swapCpu(0); // r's bank is now the spare; the clear stops at the busy record
    ring.commit(r);
    expect(tagsOf(ring.snapshot(0, 'spare'))).toEqual([9]);
    expect(ring.stats(0, 'live').entries).toBe(0);
  });
});
