// Claim: in kernel mode the `thread` timerlat_sample lines of `trace` are written by the kernel
// thread timerlat/N, so their head reads `timerlat/N-<pid>` with a stable kernel-thread pid below
// the first task pid (the kernel's `timerlat/1-1035 [001] ...: #5 context thread ...`); the IRQ
// lines stay `<idle>-0`. Payload encodings of the pid (sample field, stack trailer) round-trip.
import { describe, expect, it } from 'vitest';
import { TIMERLAT_KTHREAD_PID_BASE, timerlatKthreadCpu, timerlatKthreadPid } from '../../src/tracers/timerlat-event.js';
import { decodeKernelStack, kernelStackPid } from '../../src/tracers/timerlat-stack-event.js';
import { fixture, useLabs } from '../helpers/lab-fixture.js';

const HEAD = /^\s*(\S+)-(\d+)\s+\[(\d{3})\]\s+\d+\.\d+: timerlat_sample: #(\d+)\s+context\s+(irq|thread|user-ret) /;

describe('timerlat kernel-mode trace lines', () => {
  const boot = useLabs();

  it('thread lines name timerlat/N with its kthread pid on CPU N; irq lines show <idle>-0', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('current_tracer', 'timerlat');
    for (const c of [0, 1]) await expect.poll(() => lab.timerlat.snapshot()[c]!.thread.count, { timeout: 10_000 }).toBeGreaterThan(5);
    await lab.tracefs.write('tracing_on', '0');
    const trace = await lab.tracefs.read('trace');
    const heads = trace.split('\n').filter((l) => l.includes('timerlat_sample:')).map((l) => {
      const m = HEAD.exec(l);
      if (m === null) throw new Error(`unexpected trace line: ${JSON.stringify(l)}`);
      return { head: `${m[1]}-${m[2]}`, cpu: Number(m[3]), ctx: m[5]!, line: l };
    });
    for (const c of [0, 1]) {
      const thread = heads.filter((h) => h.cpu === c && h.ctx === 'thread');
      const irq = heads.filter((h) => h.cpu === c && h.ctx === 'irq');
      expect(thread.length).toBeGreaterThan(3);
      expect(irq.length).toBeGreaterThan(3);
      for (const h of thread) expect(h.head, h.line).toBe(`timerlat/${c}-${TIMERLAT_KTHREAD_PID_BASE + c}`);
      for (const h of irq) expect(h.head, h.line).toBe('<idle>-0');
    }
    expect(heads.some((h) => h.ctx === 'user-ret')).toBe(false);
    // Below the first task pid (1000), so never a task's; a lab's own task pids stay apart.
    const t = await lab.spawn(fixture('exit-code'), { arg: { code: 0 } });
    expect(t.pid).toBeGreaterThanOrEqual(1000);
    await t.exited;
  });

  it('kthread pids map back to their CPU, stay clear of task pids, and a stack payload carries one optionally', () => {
    for (const cpu of [0, 1, 899, 900, 1023]) {
      const pid = timerlatKthreadPid(cpu);
      expect(pid < 1000 || pid > 4_194_304, `cpu ${cpu} -> pid ${pid}`).toBe(true);
      expect(timerlatKthreadCpu(pid)).toBe(cpu);
    }
    expect(timerlatKthreadCpu(1000)).toBeUndefined();
    expect(timerlatKthreadCpu(0)).toBeUndefined();
    const text = new TextEncoder().encode('timerlat_irq\ncpu_actor_loop');
    expect(kernelStackPid(text)).toBe(0); // an IRQ dump or an older trace file: no trailer
    expect(decodeKernelStack(text)).toEqual(['timerlat_irq', 'cpu_actor_loop']);
    const withPid = new Uint8Array(text.byteLength + 5);
    withPid.set(text);
    new DataView(withPid.buffer).setUint32(text.byteLength + 1, 101, true);
    expect(kernelStackPid(withPid)).toBe(101);
    expect(decodeKernelStack(withPid)).toEqual(['timerlat_irq', 'cpu_actor_loop']);
  });
});
