// Claim: a stop a CPU claims while timerlat is starting (between the start broadcast and the
// tracer's enableBuffer, the same main-thread turn; a loaded host can stretch it past the first
// activation) is reported, not erased: the start's enableBuffer must not re-arm the stop word the
// start itself just armed. A restart after a reported stop still re-arms it. The CPUs are a fake
// CpuSet whose broadcast makes CPU 0 hit stop_tracing_total_us at once; in process, no workers.
import { describe, expect, it } from 'vitest';
import { LabTimerlat, timerlatHooks } from '../../src/lab/timerlat.js';
import type { CpuSet } from '../../src/lab/cpus.js';
import { Tracefs } from '../../src/tracefs/tree.js';
import { TLG, claimStop } from '../../src/tracers/timerlat-layout.js';
import { Ctx } from '../../src/tracers/latency-stats.js';
import { within } from '../helpers/lab-fixture.js';

async function lab(): Promise<{ tl: LabTimerlat; tracing: () => boolean }> {
  let on = true;
  const fs = new Tracefs();
  let tl: LabTimerlat | undefined;
  const cpuSet = {
    broadcast(msg: { type: string }) {
      // CPU 0's first thread sample crosses the threshold before the start's enableBuffer runs.
      if (msg.type === 'timerlat.start' && claimStop(tl!.shm, 0, Ctx.THREAD, 5_000_000)) on = false;
    },
    request: async () => ({}),
  } as unknown as CpuSet;
  tl = new LabTimerlat({
    cpus: 1, fs, cpuSet, cpuOf: () => undefined, affinityOf: () => undefined, killHolder: () => undefined,
    tracingOn: () => on, setTracingOn: (v) => { on = v; },
  });
  await fs.write('osnoise/stop_tracing_total_us', '1000');
  return { tl, tracing: () => on };
}

describe('a stop claimed during the start', () => {
  it('is reported, the tracer ends stopped with the buffer off; tracing_on 1 then re-arms the stop word', async () => {
    const { tl, tracing } = await lab();
    const stopped = new Promise<{ kind: string; cpu: number; context: string }>((r) => tl.once('stop', r as (s: unknown) => void));
    const hooks = timerlatHooks(tl); // the control plane's side: current_tracer became timerlat
    hooks.tracerStarted();
    expect(Atomics.load(tl.shm.i32, tl.shm.g + TLG.STOP_HIT)).toBe(2); // not erased by the start's enableBuffer
    const stop = await within(5000, 'stop report', stopped);
    expect(stop).toMatchObject({ kind: 'threshold', cpu: 0, context: 'thread' });
    expect(tl.state).toBe('stopped');
    expect(tracing()).toBe(false);
    hooks.tracingOnWritten(true); // tracer.restart: the reported stop is re-armed
    expect(Atomics.load(tl.shm.i32, tl.shm.g + TLG.STOP_HIT)).toBe(0);
    expect(tl.state).toBe('running');
    hooks.dispose();
  });
});
