// Claim: in user mode (timerlat_fd), the `thread` and `user-ret` timerlat_sample lines of `trace`
// name the fd-holding task as `<comm>-<pid>`, like the kernel's trace, whose entry header carries
// the writer's pid; the timer IRQ lines stay `<idle>-0` (the holder sleeps in read() when it fires).
// Payloads written without a pid (kernel mode, older trace files) still decode, with pid 0.
import { describe, expect, it } from 'vitest';
import { decodeSample, TIMERLAT_SAMPLE_BYTES } from '../../src/tracers/timerlat-event.js';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

const HEAD = /^\s*(\S+)-(\d+)\s+\[(\d{3})\]\s+\d+\.\d+: timerlat_sample: #(\d+)\s+context\s+(irq|thread|user-ret) /;

describe('timerlat user-mode trace lines', () => {
  const boot = useLabs();

  it('thread and user-ret lines show the holder as <comm>-<pid>; irq lines show <idle>-0', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
    await lab.tracefs.write('current_tracer', 'timerlat');
    const LOOPS = 10;
    const t = await lab.spawn(fixture('timerlat-fd'), { arg: { cpu: 1, loops: LOOPS } });
    expect(await within(30_000, 'fd loop', t.exited), t.error).toEqual({ code: 0 });
    const trace = await lab.tracefs.read('trace');
    const lines = trace.split('\n').filter((l) => l.includes('timerlat_sample:'));
    const heads = lines.map((l) => {
      const m = HEAD.exec(l);
      if (m === null) throw new Error(`unexpected trace line: ${JSON.stringify(l)}`);
      return { comm: m[1]!, pid: Number(m[2]), ctx: m[5]!, line: l };
    });
    const of = (ctx: string): typeof heads => heads.filter((h) => h.ctx === ctx);
    expect(of('irq')).toHaveLength(LOOPS);
    expect(of('thread')).toHaveLength(LOOPS);
    expect(of('user-ret')).toHaveLength(LOOPS - 1);
    expect(t.comm).toBe('timerlat-fd');
    for (const h of [...of('thread'), ...of('user-ret')]) expect(`${h.comm}-${h.pid}`, h.line).toBe(`${t.comm}-${t.pid}`);
    for (const h of of('irq')) expect(`${h.comm}-${h.pid}`, h.line).toBe('<idle>-0');
  });

  it('a payload without the pid field (kernel mode, older trace files) decodes with pid 0', () => {
    const p = new Uint8Array(TIMERLAT_SAMPLE_BYTES);
    const dv = new DataView(p.buffer);
    dv.setUint32(0, 7, true);
    dv.setUint32(4, 1, true);
    dv.setFloat64(8, 1234, true);
    expect(decodeSample(p)).toEqual({ seqnum: 7, context: 'thread', timerLatencyNs: 1234, pid: 0 });
  });
});
