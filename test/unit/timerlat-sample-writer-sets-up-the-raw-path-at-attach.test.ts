// Claim: a timerlat SampleWriter sets up the ring's raw write path (its WebAssembly instance, 30–65
// µs) when it attaches, which a tracer start or a timerlat_fd open does, so the first sample of a run
// takes the same path as every later one instead of paying that set-up (it made the first thread
// latency 100–170 µs against ~10). Structural: counts instantiations, times nothing. In process.
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ringbuf/index.js';
import { SampleWriter } from '../../src/tracers/timerlat-event.js';
import { Ctx } from '../../src/tracers/latency-stats.js';

const Original = WebAssembly.Instance;
let made = 0;

function countInstances(): void {
  made = 0;
  WebAssembly.Instance = new Proxy(Original, {
    construct(target, args: [WebAssembly.Module, WebAssembly.Imports?]) {
      made++;
      return new target(...args);
    },
  });
}

afterEach(() => {
  WebAssembly.Instance = Original;
});

describe('SampleWriter.attach', () => {
  it('instantiates the raw path once, at attach; the samples after it instantiate nothing', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 4, mode: 'overwrite' }, { ownerCpu: 0 });
    countInstances();
    const w = new SampleWriter();
    w.attach(ring);
    const atAttach = made;
    for (let seq = 1; seq <= 500; seq++) {
      expect(w.write(ring, 0, seq * 1000, seq, Ctx.IRQ, 2000)).toBe(true);
      expect(w.write(ring, 0, seq * 1000 + 500, seq, Ctx.THREAD, 2500, 100)).toBe(true); // page turns included
    }
    expect(atAttach).toBe(1);
    expect(made).toBe(1);
    w.attach(ring); // the same ring again: nothing new
    expect(made).toBe(1);
  });

  it('prepareRaw writes nothing: the ring is empty after it', () => {
    const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 4, mode: 'overwrite' }, { ownerCpu: 0 });
    ring.prepareRaw();
    ring.prepareRaw();
    expect(ring.read()).toBeNull();
    expect(ring.stats(0).entries).toBe(0);
  });
});
