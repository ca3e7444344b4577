// Claim: a trace file written by writeTraceFile reads back page for page (in one buffer or in
// arbitrary chunks), and any corruption or truncation is a TraceFileError naming an offset inside
// the file: never another exception, never a hang (fast-check fuzz).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ringbuf/index.js';
import { EVENT_PRINT, encodePrint, eventFormats } from '../../src/ringbuf/events.js';
import { TraceFileError, readTraceFile, writeTraceFile, type TraceFileChunk } from '../../src/ringbuf/tracefile.js';
import { formatTraceFile } from '../../src/ringbuf/tracefile-report.js';

function sampleFile(): Uint8Array {
  const ring = RingBuffer.create({ cpus: 2, subbufSize: 256, subbufsPerCpu: 4, mode: 'overwrite' });
  for (let i = 0; i < 12; i++) ring.write(i & 1, EVENT_PRINT, encodePrint(100 + i, `event ${i}`), 1e9 + i * 1000);
  const parts: Uint8Array[] = [];
  const w = writeTraceFile((b) => parts.push(b), {
    cpus: 2, subbufSize: 256, clock: { name: 'tracelab-mono', unit: 'ns', epochNs: '0' },
    events: eventFormats().map((e) => ({ type: e.type, name: e.name })), comms: [[100, 'hundred']],
  });
  for (let cpu = 0; cpu < 2; cpu++) {
    for (let p = ring.consumePage(cpu, { partial: true }); p !== null; p = ring.consumePage(cpu, { partial: true })) w.page(cpu, p.bytes, p.lostBefore);
  }
  w.end();
  return new Uint8Array(Buffer.concat(parts)); // a copy: Buffer.slice would alias
}

async function collect(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<TraceFileChunk[]> {
  const out: TraceFileChunk[] = [];
  for await (const c of readTraceFile(src)) out.push(c);
  return out;
}

describe('trace file', () => {
  const file = sampleFile();

  it('round-trips header, pages and end; report prints merged ftrace lines with saved comms', async () => {
    const chunks = await collect(file);
    expect(chunks[0]!.kind).toBe('header');
    expect(chunks.at(-1)).toEqual({ kind: 'end', pages: chunks.length - 2 });
    const events = chunks.flatMap((c) => (c.kind === 'page' ? c.page.records.filter((r) => r.kind === 'event') : []));
    expect(events).toHaveLength(12);
    const text = await formatTraceFile(readTraceFile(file));
    const lines = text.filter((l) => !l.startsWith('#'));
    expect(lines.map((l) => l.replace(/^.*: /, ''))).toEqual(Array.from({ length: 12 }, (_, i) => `event ${i}`));
    expect(lines[0]).toMatch(/^ +hundred-100 +\[000\] +1\.000000: tracing_mark_write: event 0$/);
  });

  it('decodes the same from any chunking of the stream', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }), async (cuts) => {
      const parts: Uint8Array[] = [];
      let at = 0;
      for (let i = 0; at < file.byteLength; i++) {
        const n = cuts[i % cuts.length]!;
        parts.push(file.subarray(at, at + n));
        at += n;
      }
      async function* gen(): AsyncGenerator<Uint8Array> {
        yield* parts;
      }
      expect(await collect(gen())).toEqual(await collect(file));
    }), { numRuns: 50 });
  });

  it('reports truncation at every length as a TraceFileError with an offset in the file', async () => {
    for (let n = 0; n < file.byteLength; n += 7) {
      const err = await collect(file.subarray(0, n)).then(() => null, (e: unknown) => e);
      expect(err, `prefix of ${n} B`).toBeInstanceOf(TraceFileError);
      expect((err as TraceFileError).offset).toBeLessThanOrEqual(n);
    }
  });

  it('never throws anything but TraceFileError on corrupted bytes (fuzz)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat({ max: file.byteLength - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.option(fc.nat({ max: file.byteLength }), { nil: undefined }),
      async (flips, cut) => {
        const bad = file.slice(0, cut ?? file.byteLength);
        for (const [i, b] of flips) if (i < bad.byteLength) bad[i] = b;
        try {
          await collect(bad);
        } catch (e) {
          expect(e).toBeInstanceOf(TraceFileError);
          expect((e as TraceFileError).offset).toBeGreaterThanOrEqual(0);
          expect((e as TraceFileError).offset).toBeLessThanOrEqual(bad.byteLength);
          expect((e as TraceFileError).code).toBe('EINVAL');
        }
      },
    ), { numRuns: 300 });
  });

  it('rejects a bad magic, a future version and trailing bytes with their offsets', async () => {
    const magic = file.slice();
    magic[0] = 0;
    await expect(collect(magic)).rejects.toMatchObject({ offset: 0 });
    const ver = file.slice();
    ver[8] = 9;
    await expect(collect(ver)).rejects.toMatchObject({ offset: 8 });
    await expect(collect(Buffer.concat([file, new Uint8Array([0])]))).rejects.toMatchObject({ offset: file.byteLength });
  });
});
