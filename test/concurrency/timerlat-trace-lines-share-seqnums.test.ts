// Claim: the `trace` file shows timerlat_sample lines in the seed's format
// (`#%-5u context %6s timer_latency %9llu ns`); the samples of one activation share a seqnum, the
// first activation is #1, and in user mode the user-ret sample of activation N is recorded by the
// read() that follows it, after N's thread sample and before N+1's timer IRQ. Real workers.
import { describe, expect, it } from 'vitest';
import type { Lab } from '../../src/index.js';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

interface Line {
  readonly cpu: number;
  readonly tsUs: number;
  readonly seq: number;
  readonly ctx: 'irq' | 'thread' | 'user-ret';
  readonly latNs: number;
  readonly text: string;
}

const LINE = /^\s*\S+-\d+\s+\[(\d{3})\]\s+(\d+\.\d+): timerlat_sample: (#(\d+)\s* context\s+(irq|thread|user-ret) timer_latency\s+(\d+) ns)$/;

function samples(trace: string): Line[] {
  return trace
    .split('\n')
    .filter((l) => l.includes('timerlat_sample:'))
    .map((l) => {
      const m = LINE.exec(l);
      if (m === null) throw new Error(`unexpected trace line: ${JSON.stringify(l)}`);
      return { cpu: Number(m[1]), tsUs: Number(m[2]) * 1e6, text: m[3]!, seq: Number(m[4]), ctx: m[5] as Line['ctx'], latNs: Number(m[6]) };
    });
}

/** The seed's printf: `#%-5u context %6s timer_latency %9llu ns`. */
function seedFormat(seq: number, ctx: string, latNs: number): string {
  return `#${String(seq).padEnd(5)} context ${ctx.padStart(6)} timer_latency ${String(latNs).padStart(9)} ns`;
}

async function userMode(lab: Lab): Promise<void> {
  await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
  await lab.tracefs.write('current_tracer', 'timerlat');
}

describe('timerlat trace lines', () => {
  const boot = useLabs();

  it('user mode: irq, thread and user-ret lines of activation N share #N, from #1; user-ret N comes at the next read, before irq N+1', async () => {
    const lab = await boot({ cpus: 2 });
    await userMode(lab);
    const LOOPS = 40;
    const t = await lab.spawn(fixture('timerlat-fd'), { arg: { cpu: 1, loops: LOOPS } });
    expect(await within(30_000, 'fd loop', t.exited), t.error).toEqual({ code: 0 });
    const lines = samples(await lab.tracefs.read('trace'));
    for (const l of lines) expect(l.text).toBe(seedFormat(l.seq, l.ctx, l.latNs));
    expect(lines.every((l) => l.cpu === 1)).toBe(true);

    // Exactly: one irq and one thread line per activation, a user-ret for all but the last
    // (the loop closes the fd instead of reading again), matching the SAB counters.
    const by = (ctx: Line['ctx']): Line[] => lines.filter((l) => l.ctx === ctx);
    const seqs = (ctx: Line['ctx']): number[] => by(ctx).map((l) => l.seq);
    const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
    expect(seqs('irq')).toEqual(upTo(LOOPS));
    expect(seqs('thread')).toEqual(upTo(LOOPS));
    expect(seqs('user-ret')).toEqual(upTo(LOOPS - 1));
    const s = lab.timerlat.snapshot()[1]!;
    expect([s.irq.count, s.thread.count, s.user.count]).toEqual([LOOPS, LOOPS, LOOPS - 1]);

    // Order in the merged trace: irq N, thread N, user-ret N, irq N+1, …
    const expected = upTo(LOOPS).flatMap((n) => (n < LOOPS ? [`irq#${n}`, `thread#${n}`, `user-ret#${n}`] : [`irq#${n}`, `thread#${n}`]));
    expect(lines.map((l) => `${l.ctx}#${l.seq}`)).toEqual(expected);

    // One activation, one absolute period: each later context is measured from the same deadline,
    // later in time, so its latency is at least the earlier one's (causality, not speed).
    for (let n = 1; n < LOOPS; n++) {
      const [irq, thread, user] = (['irq', 'thread', 'user-ret'] as const).map((c) => by(c)[n - 1]!);
      expect(thread!.latNs).toBeGreaterThanOrEqual(irq!.latNs);
      expect(user!.latNs).toBeGreaterThanOrEqual(thread!.latNs);
      expect(user!.latNs - thread!.latNs).toBeLessThanOrEqual(Math.ceil((user!.tsUs - thread!.tsUs) * 1000) + 1000);
    }
  });

  it('a second holder after close starts again at #1 (close resets the activation count)', async () => {
    const lab = await boot({ cpus: 2 });
    await userMode(lab);
    for (let round = 0; round < 2; round++) {
      const t = await lab.spawn(fixture('timerlat-fd'), { arg: { cpu: 0, loops: 5 } });
      expect(await within(20_000, `holder ${round}`, t.exited), t.error).toEqual({ code: 0 });
    }
    const irqSeqs = samples(await lab.tracefs.read('trace')).filter((l) => l.ctx === 'irq').map((l) => l.seq);
    expect(irqSeqs).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
  });

  it('kernel mode: irq and thread lines pair up by seqnum from #1 on every traced CPU, and no user-ret line appears', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('current_tracer', 'timerlat');
    // Every traced CPU, not just the last: under load one CPU actor can still be in its start-up
    // rehearsal while another has taken 20 samples (a doubled suite saw CPU 0 with none).
    for (const cpu of [0, 1]) await expect.poll(() => lab.timerlat.snapshot()[cpu]!.thread.count, { timeout: 10_000 }).toBeGreaterThan(20);
    await lab.tracefs.write('tracing_on', '0'); // freeze the buffer (and stop the workload)
    const lines = samples(await lab.tracefs.read('trace'));
    expect(lines.some((l) => l.ctx === 'user-ret')).toBe(false);
    for (const cpu of [0, 1]) {
      const mine = lines.filter((l) => l.cpu === cpu);
      const irq = mine.filter((l) => l.ctx === 'irq').map((l) => l.seq);
      const thread = mine.filter((l) => l.ctx === 'thread').map((l) => l.seq);
      expect(irq[0]).toBe(1);
      expect(irq).toEqual(Array.from({ length: irq.length }, (_, i) => i + 1));
      // The buffer may stop between an irq and its thread sample: at most the last one is unpaired.
      expect(thread).toEqual(irq.slice(0, thread.length));
      expect(irq.length - thread.length).toBeLessThanOrEqual(1);
    }
  });

  it('every sample reaches the ring across many pages: trace lines == irq + thread counts, nothing counted lost', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/timerlat_period_us', '100');
    await lab.tracefs.write('current_tracer', 'timerlat');
    // 4 KiB pages hold about 170 samples: wait for several page turns on each CPU.
    await expect.poll(() => Math.min(...lab.timerlat.snapshot().map((s) => s.irq.count)), { timeout: 15_000 }).toBeGreaterThan(600);
    await lab.tracefs.write('current_tracer', 'nop'); // stop the workload: the counts stop moving
    await new Promise((r) => setTimeout(r, 100));
    const lines = samples(await lab.tracefs.read('trace'));
    for (const s of lab.timerlat.snapshot()) {
      const st = lab.ring.stats(s.cpu);
      expect({ overrun: st.overrun, dropped: st.droppedEvents, commitOverrun: st.commitOverrun }).toEqual({ overrun: 0, dropped: 0, commitOverrun: 0 });
      expect(lines.filter((l) => l.cpu === s.cpu).length).toBe(s.irq.count + s.thread.count);
    }
  });
});
