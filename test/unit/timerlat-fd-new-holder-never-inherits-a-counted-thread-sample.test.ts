// Claim: a user-ret sample is counted only if the same holder's thread sample of that activation
// was. The thread sample's "counted" word (TLC.THREAD_COUNTED_SEQ) is written by the fd holder; a new
// holder restarts at activation #1, so a word left by the previous holder must never match when the
// new one skips a thread sample (a signal ends its read after the IRQ completed it). In process, no
// workers: the real TimerlatCpu behind a fake port whose timer the test fires, the real TimerlatUser,
// and the real open (openTimerlatFd), driven through seeded holder lives; the seed prints on failure.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { timerlatFdMachine } from '../../machines/timerlat-fd.js';
import { RunContext } from '../../src/kernel/kthread.js';
import { openTimerlatFd } from '../../src/lab/timerlat-fd-open.js';
import type { TimerlatHost } from '../../src/lab/timerlat-types.js';
import { RingBuffer } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';
import { ActivityLog } from '../../src/tracers/activity.js';
import type { CpuPort, KthreadHandle, TimerHandle } from '../../src/tracers/cpu-port.js';
import { Ctx, readSample } from '../../src/tracers/latency-stats.js';
import { TimerlatCpu } from '../../src/tracers/timerlat.js';
import { TLC, TLG, allocateTimerlat, type TimerlatShm } from '../../src/tracers/timerlat-layout.js';
import { TimerlatUser, TracingSwitch } from '../../src/tracers/timerlat-user.js';
import { mulberry32, randInt, testSeed, withSeed } from '../helpers/seeded-rng.js';

const SLOT = 0;

// One CPU: its timer fires only when the test says so; completions are recorded, not delivered.
class FakePort implements CpuPort {
  readonly id = 0;
  readonly activity = new ActivityLog();
  readonly context = new RunContext();
  readonly #ring: RingBuffer;
  #fn: ((now: number) => void) | undefined;
  armed = false;
  pid = 0;
  completed: number[] = [];
  constructor(ring: RingBuffer) {
    this.#ring = ring;
  }
  ring(): RingBuffer {
    return this.#ring;
  }
  timer(fn: (now: number) => void): TimerHandle {
    this.#fn = fn;
    return {} as TimerHandle;
  }
  arm(): void {
    this.armed = true;
  }
  cancel(): void {
    this.armed = false;
  }
  fire(): void {
    expect(this.armed).toBe(true);
    this.armed = false;
    this.#fn!(clockNs());
  }
  kthread(): KthreadHandle {
    return {} as KthreadHandle;
  }
  wake(): void {}
  stopKthread(): void {}
  pollIrqs(): void {}
  syscall(): void {}
  complete(slot: number, ret: number): void {
    this.completed.push(ret);
    expect(slot).toBe(SLOT);
  }
  taskPid(): number {
    return this.pid;
  }
  taskCpu(): number {
    return 0;
  }
  tracingOn(): boolean {
    return true;
  }
  tracingOff(): void {}
  post(): void {}
}

function lab() {
  const ring = RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 64, mode: 'overwrite' }, { ownerCpu: 0 });
  const port = new FakePort(ring);
  const tl: TimerlatShm = allocateTimerlat(1);
  Atomics.store(tl.i32, tl.g + TLG.RUNNING, 1);
  Atomics.store(tl.i32, tl.g + TLG.USER_MODE, 1);
  tl.f64[(tl.g >> 1) + TLG.F64_PERIOD_NS] = 1e6;
  Atomics.store(tl.i32, tl.cpuBase(0) + TLC.ENABLED, 1);
  const cpu = new TimerlatCpu(port, tl);
  cpu.start();
  const host = {
    cpus: 1,
    cpuOf: () => 0,
    affinityOf: () => [0],
    cpuSet: { post: () => cpu.start() }, // the release's timerlat.start, as the CPU actor runs it
  } as unknown as TimerlatHost;
  const fd = createActor(timerlatFdMachine, { input: { cpu: 0 } }).start();
  const holderRing = RingBuffer.attach(ring.handle);
  return { port, tl, cpu, host, fd, holderRing };
}

describe('a new timerlat_fd holder', () => {
  it('never has a user-ret sample counted for an activation whose thread sample it skipped', () => {
    const seed = testSeed(20240611);
    const rng = mulberry32(seed);
    const { port, tl, cpu, host, fd, holderRing } = lab();
    const ctx = { shm: tl, host, fd, running: () => true, userMode: () => true };
    const on = new Int32Array(new SharedArrayBuffer(4));
    on[0] = 1; // tracing_on
    let thread = 0;
    let user = 0;
    const log: string[] = [];
    for (let life = 0; life < 40; life++) {
      const pid = 1000 + life;
      port.pid = pid;
      const ops = openTimerlatFd(ctx, 0, { pid } as Parameters<typeof openTimerlatFd>[2]);
      const u = new TimerlatUser(tl, holderRing, 0, new TracingSwitch(on, 0));
      const reads = randInt(rng, 1, 4);
      let tookThread = false; // the last completed activation's thread sample was taken
      const steps: string[] = [];
      for (let r = 0; r < reads; r++) {
        // read(): the CPU serves it (a user-ret for the previous activation, then re-arm) ...
        expect(cpu.fdRead(SLOT)).toBeUndefined();
        if (r > 0 && tookThread) user++;
        port.fire(); // ... and the IRQ completes it
        expect(port.completed.pop()).toBe(0);
        // a signal ends the read after the completion (no thread sample) in one read of three
        tookThread = rng() >= 1 / 3;
        if (tookThread) {
          u.threadSample();
          thread++;
        }
        steps.push(tookThread ? 'T' : 'skip');
      }
      // close(): the task's release on its CPU, then the file's
      cpu.fdClose();
      ops.close();
      log.push(`${pid}:${steps.join(',')}`);
      const got = { thread: readSample(tl.stats, 0, Ctx.THREAD).count, user: readSample(tl.stats, 0, Ctx.USER).count };
      expect(got, withSeed(seed, `after life ${life} (holder:reads ${log.join(' ')})`)).toEqual({ thread, user });
    }
    fd.stop();
  });
});
