// Claim: tracePipeReadable streams consuming ftrace lines with in-band losses, ends at its
// deadline, and destroy() ends a blocked read at once; rawPipeReadable yields whole pages.
import { describe, expect, it } from 'vitest';
import { RingBuffer, decodePage } from '../../src/ringbuf/index.js';
import { EVENT_PRINT, encodePrint } from '../../src/ringbuf/events.js';
import { rawPipeReadable, tracePipeReadable } from '../../src/ringbuf/pipe.js';
import { clockNs } from '../../src/shm/clock.js';

describe('trace pipe readables', () => {
  it('reads merged lines and in-band losses, then ends at the deadline', async () => {
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 256, subbufsPerCpu: 2, mode: 'overwrite' });
    for (let i = 0; i < 40; i++) ring.write(0, EVENT_PRINT, encodePrint(0, `a${i}`));
    ring.write(1, EVENT_PRINT, encodePrint(0, 'b'));
    let text = '';
    for await (const chunk of tracePipeReadable(ring, { deadlineNs: clockNs() + 50e6 })) text += chunk as string;
    expect(text).toMatch(/^CPU:0 \[LOST \d+ EVENTS\]\n/);
    expect(text).toMatch(/tracing_mark_write: a39\n/);
    expect(text).toMatch(/\[001\] .*tracing_mark_write: b\n/);
    expect(ring.read()).toBeNull();
  });

  it('wakes a blocked read on a write, and destroy() ends a blocked read at once', async () => {
    const ring = RingBuffer.create({ cpus: 2, subbufSize: 256, subbufsPerCpu: 4 });
    const pipe = tracePipeReadable(ring);
    const got = new Promise<string>((resolve) => pipe.once('data', (c: string) => resolve(c)));
    await new Promise((r) => setImmediate(r));
    ring.write(1, EVENT_PRINT, encodePrint(0, 'late'));
    expect(await got).toMatch(/late\n$/);
    const closed = new Promise((resolve) => pipe.once('close', resolve));
    pipe.destroy();
    await closed;
  });

  it('raw pipe yields whole decodable pages, the partial one at the deadline', async () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 256, subbufsPerCpu: 8, mode: 'discard' });
    for (let i = 0; i < 20; i++) ring.write(0, EVENT_PRINT, encodePrint(0, `r${i}`));
    const pages: Uint8Array[] = [];
    for await (const p of rawPipeReadable(ring, 0, { deadlineNs: clockNs() + 30e6 })) pages.push(p as Uint8Array);
    expect(pages.every((p) => p.byteLength === 256)).toBe(true);
    const events = pages.flatMap((p) => decodePage(p).records.filter((r) => r.kind === 'event'));
    expect(events).toHaveLength(20);
    const blocked = rawPipeReadable(ring, 0);
    blocked.resume();
    await new Promise((r) => setImmediate(r));
    const closed = new Promise((resolve) => blocked.once('close', resolve));
    blocked.destroy();
    await closed;
  });
});
