// print_stack in user-space mode (trace_osnoise.c: timerlat_fd_read): when the holder's thread
// sample hits stop_tracing_total_us, the stack the timer IRQ saved on the CPU actor is dumped by the
// holder's own worker, after its thread sample, and names what delayed the IRQ; the user-ret sample
// never dumps. Real CPU actor, real task worker looping on timerlat_fd.
import { describe, expect, it } from 'vitest';
import type { Lab, Task } from '../../src/index.js';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

type Stop = { kind: string; context: string; cpu: number; stack?: readonly string[] };
const IRQ = ['timerlat_irq', '__hrtimer_run_queues', 'hrtimer_interrupt'];
const IN_NOISE = [...IRQ, 'noise_irq [check-irq 30000 us]', 'cpu_actor_loop'];
// The stack of a CPU actor woken late from idle: the host stalled it (tens of ms happen on this VM),
// so the IRQ and the holder were late with no noise running. Such a stop proves nothing here.
const IDLE = [...IRQ, 'default_idle_call [Atomics.wait]', 'do_idle', 'cpu_actor_loop'];

/** `<stack trace>` events of `trace`: the head line, its frames, and where it starts. */
function stacks(trace: string): Array<{ head: string; frames: string[]; at: number }> {
  const out: Array<{ head: string; frames: string[]; at: number }> = [];
  const lines = trace.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.endsWith(': <stack trace>')) continue;
    const frames: string[] = [];
    for (let j = i + 1; j < lines.length && lines[j]!.startsWith(' => '); j++) frames.push(lines[j]!.slice(4));
    out.push({ head: lines[i]!, frames, at: i });
  }
  return out;
}

// One CPU in user mode, an IRQ-off noise of 30 ms every 40 ms delaying the timer IRQ (and so the
// holder's wake-up), stop_tracing_total_us 10 ms, print_stack `printStackUs`, a holder looping.
// A 10 ms period keeps the holder's own time in user space (where the noise would delay its next
// read() instead: a user-ret stop) a small share of each period; a noise period that is not a
// multiple of it moves the noise's phase every cycle, so one unlucky phase cannot repeat each round.
async function setUp(boot: (o: { cpus: number }) => Promise<Lab>, printStackUs: number): Promise<{ lab: Lab; task: Task }> {
  const lab = await boot({ cpus: 1 });
  await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
  await lab.tracefs.write('osnoise/timerlat_period_us', '10000');
  await lab.tracefs.write('osnoise/print_stack', String(printStackUs));
  await lab.tracefs.write('osnoise/stop_tracing_total_us', '10000');
  await lab.timerlat.setNoise([{ kind: 'irq', durationUs: 30_000, periodUs: 40_333, name: 'check-irq' }]);
  await lab.tracefs.write('current_tracer', 'timerlat');
  const task = await lab.spawn(fixture('timerlat-fd'), { arg: { cpu: 0, loops: 0 } });
  return { lab, task };
}

// Run stops (tracing_on 0→1 between them) until one comes from the holder's thread sample; up to 8
// (on a loaded host most stops can be user-ret ones: the holder is held back in user space).
// `each` returns false for a thread stop that a host stall caused (see IDLE): that round is retried.
async function threadStop(lab: Lab, each: (stop: Stop, trace: string, before: number) => boolean | void): Promise<boolean> {
  let before = 0;
  for (let round = 0; round < 8; round++) {
    const stopped = new Promise<Stop>((r) => lab.timerlat.once('stop', r as (s: unknown) => void));
    if (round > 0) await lab.tracefs.write('tracing_on', '1');
    const stop = await within(20_000, 'stop', stopped);
    expect(stop).toMatchObject({ kind: 'threshold', cpu: 0 });
    expect(['thread', 'user-ret']).toContain(stop.context);
    const trace = await lab.tracefs.read('trace');
    const conclusive = each(stop, trace, before) !== false;
    before = stacks(trace).length;
    await expect.poll(() => lab.timerlat.state, { timeout: 5000 }).toBe('stopped');
    if (stop.context === 'thread' && conclusive) return true;
  }
  return false;
}

describe('timerlat print_stack in user-space mode (timerlat_fd)', () => {
  const boot = useLabs();

  it('the holder thread sample over stop_tracing_total_us and print_stack stops tracing; trace holds its <stack trace> naming the IRQ noise', async () => {
    const { lab, task } = await setUp(boot, 10_000);
    const holder = `${task.comm}-${task.pid}`;
    const sawThread = await threadStop(lab, (stop, trace, before) => {
      const st = stacks(trace);
      if (stop.context === 'user-ret') {
        expect(st.length, 'a user-ret sample dumped a stack').toBe(before); // timerlat_fd_read: no dump on user-ret
        expect(stop.stack).toBeUndefined();
        return;
      }
      expect(st.length, trace.slice(-3000)).toBe(before + 1);
      const last = st[st.length - 1]!;
      if (last.frames.join('|') === IDLE.join('|')) return false; // a host stall, not the noise: next round
      // Written by the holder's worker: the line names the holder, as the kernel's common_pid would.
      expect(last.head.trim(), trace.slice(-1500)).toMatch(new RegExp(`^${holder}\\s+\\[000\\]\\s+\\d+\\.\\d{6}: <stack trace>$`));
      expect(last.frames, trace.slice(-1500)).toEqual(IN_NOISE);
      // Right after the holder's thread sample that crossed the threshold (sample, then dump).
      const lines = trace.split('\n');
      expect(lines[last.at - 1], trace.slice(-1500)).toMatch(new RegExp(`^\\s*${holder}\\s+\\[000\\] .*context thread timer_latency +\\d+ ns$`));
      expect(stop.stack).toEqual(IN_NOISE); // the control plane got it from the stop record
      return true;
    });
    expect(sawThread, 'no stop in 8 came from the holder thread sample').toBe(true);
  });

  it('with print_stack above every latency the holder stop writes no stack', async () => {
    const { lab } = await setUp(boot, 1_000_000);
    const sawThread = await threadStop(lab, (stop, trace) => {
      expect(trace).toMatch(/context thread timer_latency/);
      expect(trace).not.toContain('<stack trace>');
      expect(stop.stack).toBeUndefined();
    });
    expect(sawThread, 'no stop in 8 came from the holder thread sample').toBe(true);
  });
});
