// The control plane of the timerlat tracer (trace_osnoise.c: timerlat_tracer_init/start/stop, the
// migration hook): configuration and its tracefs files, the tracer and timerlat_fd machines, noise
// placement, the stats snapshot; fd opens and the stop record live beside it (timerlat-fd-open.ts,
// timerlat-stop.ts). Control plane only; samples never pass through here.
import { EventEmitter } from 'node:events';
import { createActor, type Actor } from 'xstate';
import { clockNs } from '../shm/clock.js';
import { tracerMachine } from '../../machines/tracer.js';
import { TAINT_MIGRATED, timerlatFdMachine } from '../../machines/timerlat-fd.js';
import { CTX_NAMES, Ctx, bucketBounds, readSample, resetStats, type CtxId, type LatencySnapshot } from '../tracers/latency-stats.js';
import { TLC, TLG, allocateTimerlat, claimStop, publishKnob, type TimerlatShm } from '../tracers/timerlat-layout.js';
import type { NoiseSpec } from '../tracers/noise.js';
import type { TimerlatNotice } from '../tracers/timerlat.js';
import { registerTimerlatEvent, timerlatKthreadCpu, timerlatKthreadPid } from '../tracers/timerlat-event.js';
import { registerKernelStackEvent } from '../tracers/timerlat-stack-event.js';
import { stopStackFrames } from '../tracers/timerlat-stack-shm.js';
import { DEFAULT_OPTIONS, KNOBS, addOsnoiseFiles, type Knob, type OsnoiseOption } from '../tracefs/files/osnoise.js';
import type { Opener } from '../tracefs/tree.js';
import type { CpuReply } from './protocol.js';
import { checkNoiseMask, checkNoiseSpec, formatNoiseSpec, parseNoiseSpec } from './noise-spec.js';
import { kerr } from '../errno.js';
import { StopWatcher } from './timerlat-stop.js';
import { timerlatSnapshot } from './timerlat-snapshot.js';
import { openTimerlatFd } from './timerlat-fd-open.js';
import type { StopAnalysis, StopInfo, TimerlatCpuStats, TimerlatEvents, TimerlatHost } from './timerlat-types.js';

export type { StopAnalysis, StopInfo, TimerlatCpuStats, TimerlatEvents, TimerlatHost } from './timerlat-types.js';

/**
 * What the lab's control plane calls on its tracer (core files, task and CPU set callbacks,
 * shutdown); kept off LabTimerlat's public type. @internal
 */
export interface TimerlatHooks {
  /** current_tracer became timerlat. */
  tracerStarted(): void;
  /** current_tracer left timerlat. */
  tracerStopped(reason: 'tracer-changed' | 'tracing-off'): void;
  /** tracing_on written while timerlat is current. */
  tracingOnWritten(on: boolean): void;
  /** sched_migrate_task of a task. */
  onMigrate(pid: number, origCpu: number, destCpu: number): void;
  /** A notice from a CPU actor. */
  onNotice(n: TimerlatNotice): void;
  /** Lab shutdown: stop everything; later acting calls fail with ESHUTDOWN. */
  dispose(): void;
}

/** What `lab.timerlat.state` reports (the states of machines/tracer.ts). */
export type TimerlatState = 'off' | 'running' | 'stopped';

let hooksOf: (t: LabTimerlat) => TimerlatHooks;

/** The control plane's hooks of `t` (src/lab/lab.ts only). @internal */
export function timerlatHooks(t: LabTimerlat): TimerlatHooks {
  return hooksOf(t);
}

/** The timerlat tracer of one lab (`lab.timerlat`). */
export class LabTimerlat extends EventEmitter<TimerlatEvents> {
  static {
    hooksOf = (t) => ({
      tracerStarted: () => t.#tracerStarted(),
      tracerStopped: (reason) => t.#tracerStopped(reason),
      tracingOnWritten: (on) => t.#tracingOnWritten(on),
      onMigrate: (pid, origCpu, destCpu) => t.#onMigrate(pid, origCpu, destCpu),
      onNotice: (n) => t.#onNotice(n),
      dispose: () => t.#dispose(),
    });
  }

  readonly shm: TimerlatShm;
  readonly #h: TimerlatHost;
  readonly #knobs: Record<Knob, number> = { timerlat_period_us: 1000, timerlat_align_us: 0, stop_tracing_us: 0, stop_tracing_total_us: 0, print_stack: 0 };
  #options = new Set<OsnoiseOption>(DEFAULT_OPTIONS);
  #traceCpus: number[];
  #noise: NoiseSpec[] = [];
  #noiseMask: number[];
  #running = false;
  #disposed = false;
  readonly #stopWatch: StopWatcher;
  readonly #analysis = new Map<number, StopAnalysis>();
  readonly #tracer: Actor<typeof tracerMachine>;
  readonly #fds: Array<Actor<typeof timerlatFdMachine>>;

  constructor(h: TimerlatHost) {
    super();
    registerTimerlatEvent();
    registerKernelStackEvent();
    this.#h = h;
    this.shm = allocateTimerlat(h.cpus);
    resetStats(this.shm.stats, h.cpus);
    this.#stopWatch = new StopWatcher(this.shm, (cpu, ctx, latencyNs) => this.#onStopHit(cpu, ctx, latencyNs));
    this.#traceCpus = range(h.cpus);
    this.#noiseMask = range(h.cpus);
    this.#tracer = createActor(
      tracerMachine.provide({
        actions: {
          startWorkload: () => this.#startWorkload(),
          stopWorkload: () => this.#stopWorkload(),
          disableBuffer: () => h.setTracingOn(false),
          enableBuffer: () => {
            h.setTracingOn(true);
            if (!this.#running || this.#stopWatch.claimedUnreported) return; // keep a stop claimed since the start armed the word
            // tracing_on 0→1 after a stop: re-arm the stop record so the next threshold is reported.
            Atomics.store(this.shm.i32, this.shm.g + TLG.STOP_HIT, 0);
            this.#stopWatch.start();
          },
        },
      }),
    ).start();
    this.#fds = range(h.cpus).map((cpu) =>
      createActor(timerlatFdMachine.provide({ actions: { sendSigkill: (_, p) => h.killHolder(p.pid) } }), { input: { cpu } }).start(),
    );
    addOsnoiseFiles(h.fs, this.#filesControl());
  }

  /**
   * Rehearse every CPU in osnoise/cpus at once, before any traces (actors/cpu.ts, "Why a rehearsal"):
   * optional, a start rehearses each CPU otherwise. ~50 ms per CPU; returns how many rehearsed now.
   */
  async prepare(): Promise<number> {
    this.#alive('prepare');
    const done = await Promise.all(this.#traceCpus.map((cpu) =>
      this.#h.cpuSet.request<Extract<CpuReply, { type: 'timerlat.rehearse.done' }>>(cpu, (id) => ({ type: 'timerlat.rehearse', id }))));
    return done.filter((d) => d.rehearsed).length;
  }

  /** True while the workload runs (current_tracer is timerlat). */
  get running(): boolean {
    return this.#running;
  }

  /** The tracer machine's state: off (not the current tracer), running, or stopped (tracing_on 0, a threshold, an exception). */
  get state(): TimerlatState {
    return this.#tracer.getSnapshot().value as TimerlatState;
  }

  /** The last stop, if tracing was stopped by a threshold or an exception. */
  get lastStop(): StopInfo | null {
    return this.#tracer.getSnapshot().context.stop as StopInfo | null;
  }

  /** The pid of CPU `cpu`'s `timerlat/N` kernel thread (what its thread samples name). EINVAL for a CPU outside the lab. */
  kthreadPid(cpu: number): number {
    this.#checkCpu(cpu, 'kthreadPid');
    return timerlatKthreadPid(cpu);
  }

  /** The comm of a timerlat kernel thread's pid (`timerlat/N`), for trace line heads; else undefined. */
  kthreadComm(pid: number): string | undefined {
    const cpu = timerlatKthreadCpu(pid);
    return cpu !== undefined && cpu < this.#h.cpus ? `timerlat/${cpu}` : undefined;
  }

  /**
   * Start tracing: exactly `lab.tracefs.write('current_tracer', 'timerlat')` (so current_tracer
   * reads timerlat and a running tracer restarts with fresh statistics); resolves once written.
   * @example
   * await lab.timerlat.start();
   * await new Promise((r) => setTimeout(r, 1000));
   * await lab.timerlat.stop();
   * console.log(lab.timerlat.snapshot());
   */
  async start(): Promise<void> {
    this.#alive('start');
    await this.#h.fs.write('current_tracer', 'timerlat');
  }

  /** Stop tracing: exactly `lab.tracefs.write('current_tracer', 'nop')`; statistics stay readable. */
  async stop(): Promise<void> {
    this.#alive('stop');
    await this.#h.fs.write('current_tracer', 'nop');
  }

  // current_tracer became timerlat (or tracing_on went 0→1 with timerlat current).
  #tracerStarted(): void {
    this.#tracer.send({ type: 'tracer.start', tracer: 'timerlat', tracingOn: this.#h.tracingOn() });
  }

  // current_tracer left timerlat, or tracing_on went 1→0.
  #tracerStopped(reason: 'tracer-changed' | 'tracing-off'): void {
    this.#tracer.send({ type: 'tracer.stop', reason });
  }

  // tracing_on written while timerlat is current.
  #tracingOnWritten(on: boolean): void {
    const st = this.state;
    if (!on && st === 'running') this.#tracerStopped('tracing-off');
    else if (on && st === 'stopped') this.#tracer.send({ type: 'tracer.restart' });
    else if (on && st === 'off') this.#tracerStarted();
  }

  /**
   * Place noise sources (on the CPUs of `mask`; default: the noise mask), as writing osnoise/noise
   * and osnoise/noise_mask does, with the same checks: EINVAL, and nothing changes, when a spec or
   * a cpu is one those files would refuse.
   */
  async setNoise(sources: readonly NoiseSpec[], mask?: readonly number[]): Promise<void> {
    this.#alive('write');
    if (!Array.isArray(sources)) throw kerr('EINVAL', 'write', 'osnoise/noise', 'sources must be an array of noise specs');
    for (const s of sources) checkNoiseSpec(s);
    const cpus = mask === undefined ? undefined : checkNoiseMask(mask, this.#h.cpus);
    this.#noise = sources.map((s) => ({ ...s }));
    if (cpus !== undefined) this.#noiseMask = cpus;
    await this.#applyNoise();
  }

  /** The noise sources and the CPUs they run on. */
  get noise(): { readonly sources: readonly NoiseSpec[]; readonly mask: readonly number[] } {
    return { sources: this.#noise, mask: this.#noiseMask };
  }

  /** Per-CPU, per-context statistics, read from the shared counters without pausing the writers. */
  snapshot(): TimerlatCpuStats[] {
    return timerlatSnapshot(this.shm, this.#h.cpus);
  }

  /** Bucket bounds of every histogram in µs: bucket b holds [lowUs[b], highUs[b]) (1 µs below 1 ms, 64 per octave above). */
  histogramLayout(): { lowUs: number[]; highUs: number[] } {
    return bucketBounds();
  }

  /**
   * Raw histogram snapshot of one CPU and context; `'user'` (the field `snapshot()` uses) is
   * `'user-ret'`. EINVAL, naming the allowed values, for a CPU outside the lab or another context.
   */
  histogram(cpu: number, ctx: 'irq' | 'thread' | 'user-ret' | 'user'): LatencySnapshot {
    this.#checkCpu(cpu, 'histogram');
    const id = CTX_NAMES.indexOf(ctx === 'user' ? 'user-ret' : ctx);
    if (id < 0) throw kerr('EINVAL', 'histogram', 'ctx', `context must be one of irq, thread, user-ret (or its alias user), got ${JSON.stringify(ctx)}`);
    return readSample(this.shm.stats, cpu, id as CtxId);
  }

  // Migration hook (sched_migrate_task): a holder leaving its CPU kills its fd and stops tracing.
  #onMigrate(pid: number, origCpu: number, destCpu: number): void {
    for (let cpu = 0; cpu < this.#h.cpus; cpu++) {
      const cb = this.shm.cpuBase(cpu);
      if (Atomics.load(this.shm.i32, cb + TLC.HOLDER) !== pid || destCpu === cpu) continue;
      if (Atomics.exchange(this.shm.i32, cb + TLC.DEAD, 1) !== 0) continue; // RMW only: once
      this.#fds[cpu]!.send({ type: 'task.migrated', from: origCpu, to: destCpu, pid });
      this.#exception(cpu, TAINT_MIGRATED);
    }
  }

  // A notice from a CPU actor.
  #onNotice(n: TimerlatNotice): void {
    if (n.type === 'timerlat.stop_hit') {
      this.#analysis.set(n.cpu, n.analysis);
      return;
    }
    if (n.type === 'timerlat.exception') {
      this.#fds[n.cpu]!.send({ type: 'task.migrated', from: n.cpu, to: -1, pid: n.pid });
      this.#exception(n.cpu, n.taint);
    }
    // stop_hit is seen through the shared stop word (#watchStop), from CPU actors and tasks alike.
  }

  // Stop everything (lab shutdown).
  #dispose(): void {
    this.#disposed = true;
    this.#running = false;
    this.#stopWatch.end();
    this.#tracer.stop();
    for (const f of this.#fds) f.stop();
  }

  #checkCpu(cpu: number, syscall: string): void {
    const max = this.#h.cpus - 1;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu > max) throw kerr('EINVAL', syscall, 'cpu', `cpu must be a whole number in 0..${max}, got ${String(cpu)}`);
  }

  // Calls that act on the CPUs fail at once after shutdown (a request would wait 30 s for no reply).
  #alive(syscall: string): void {
    if (this.#disposed) throw kerr('ESHUTDOWN', syscall, 'timerlat', 'the lab is shut down');
  }

  #exception(cpu: number, taint: string): void {
    if (claimStop(this.shm, cpu, 3, 0)) this.#h.setTracingOn(false);
    this.#tracer.send({ type: 'tracer.exception', cpu, taint });
    this.emit('stop', { kind: 'exception', cpu, taint });
  }

  #startWorkload(): void {
    const s = this.shm;
    const g = s.g;
    s.f64[(g >> 1) + TLG.F64_PERIOD_NS] = this.#knobs.timerlat_period_us * 1e3;
    s.i32[g + TLG.USER_MODE] = this.#options.has('OSNOISE_WORKLOAD') ? 0 : 1;
    s.i32[g + TLG.STOP_US] = this.#knobs.stop_tracing_us;
    s.i32[g + TLG.STOP_TOTAL_US] = this.#knobs.stop_tracing_total_us;
    s.i32[g + TLG.PRINT_STACK_US] = this.#knobs.print_stack;
    s.i32[g + TLG.MAX_LAT_US] = 0;
    s.i32[g + TLG.ALIGN_US] = this.#options.has('TIMERLAT_ALIGN') ? this.#knobs.timerlat_align_us : 0;
    s.f64[(g >> 1) + TLG.F64_ALIGN_BASE_NS] = clockNs() + 2 * this.#knobs.timerlat_period_us * 1e3; // after every CPU got the start message
    for (let cpu = 0; cpu < this.#h.cpus; cpu++) {
      const cb = s.cpuBase(cpu);
      s.i32[cb + TLC.ENABLED] = this.#traceCpus.includes(cpu) ? 1 : 0;
      s.i32[cb + TLC.SKIPPED] = 0;
      s.i32[cb + TLC.NO_WAITER] = 0;
    }
    resetStats(s.stats, this.#h.cpus);
    Atomics.store(s.i32, g + TLG.STOP_HIT, 0);
    Atomics.store(s.i32, g + TLG.RUNNING, 1); // publish: the config words above
    this.#running = true;
    this.#h.cpuSet.broadcast({ type: 'timerlat.start' });
    this.#stopWatch.start();
  }

  #stopWorkload(): void {
    this.#running = false;
    this.#stopWatch.end();
    Atomics.store(this.shm.i32, this.shm.g + TLG.RUNNING, 0);
    this.#h.cpuSet.broadcast({ type: 'timerlat.stop' });
    for (const fd of this.#fds) fd.send({ type: 'workload.stopped' }); // SIGKILLs holders through sendSigkill
  }

  // A threshold crossed by any thread (CPU actor or task), read from the stop record by #stopWatch.
  async #onStopHit(cpu: number, ctx: CtxId, latencyNs: number): Promise<void> {
    const s = this.shm;
    const context = CTX_NAMES[ctx] ?? 'irq';
    const thresholdUs = ctx === Ctx.IRQ ? this.#knobs.stop_tracing_us : this.#knobs.stop_tracing_total_us;
    this.#tracer.send({ type: 'tracer.threshold_hit', cpu, context, latencyNs, thresholdUs });
    // A CPU actor that hit posts its breakdown right after the stop word; a task (user mode) has none.
    const fromCpu = ctx !== Ctx.THREAD || s.i32[s.g + TLG.USER_MODE] === 0;
    for (let i = 0; fromCpu && i < 50 && !this.#analysis.has(cpu); i++) await new Promise((res) => setTimeout(res, 2));
    const analysis = this.#analysis.get(cpu);
    this.#analysis.clear();
    const stack = fromCpu ? undefined : stopStackFrames(s); // the holder copied it into the record
    this.emit('stop', { kind: 'threshold', cpu, context, latencyNs, thresholdUs, ...(analysis === undefined ? {} : { analysis }), ...(stack === undefined ? {} : { stack }) });
  }

  async #applyNoise(): Promise<void> {
    await Promise.all(
      range(this.#h.cpus).map((cpu) =>
        this.#h.cpuSet.request(cpu, (id) => ({ type: 'noise.set', id, sources: this.#noiseMask.includes(cpu) ? this.#noise : [] })),
      ),
    );
  }

  // Writing osnoise/cpus or osnoise/options while running restarts the workload (holders are killed).
  #reconfigure(file: 'osnoise/cpus' | 'osnoise/options'): void {
    if (!this.#running) return;
    this.#tracer.send({ type: 'tracer.configure', file }); // stopWorkload + startWorkload
  }

  #filesControl() {
    const self = this;
    return {
      cpus: this.#h.cpus,
      get: (k: Knob) => self.#knobs[k],
      set(k: Knob, v: number) {
        self.#knobs[k] = v;
        publishKnob(self.shm, k, v);
      },
      options: () => self.#options,
      setOptions(next: ReadonlySet<OsnoiseOption>) {
        self.#options = new Set(next);
        self.#reconfigure('osnoise/options');
      },
      traceCpus: () => self.#traceCpus,
      setTraceCpus(cpus: readonly number[]) {
        self.#traceCpus = [...cpus];
        self.#reconfigure('osnoise/cpus');
      },
      maxLatencyUs: () => Atomics.load(self.shm.i32, self.shm.g + TLG.MAX_LAT_US),
      setMaxLatencyUs: (us: number) => Atomics.store(self.shm.i32, self.shm.g + TLG.MAX_LAT_US, us),
      openFd: (cpu: number, opener: Opener) => openTimerlatFd({
        shm: self.shm, host: self.#h, fd: self.#fds[cpu]!, running: () => self.#running, userMode: () => !self.#options.has('OSNOISE_WORKLOAD'),
      }, cpu, opener),
      noise: () => self.#noise.map((n) => `${formatNoiseSpec(n)}\n`).join(''),
      // The write returns once every CPU placed its noise (tree.ts awaits what write returns), so
      // a shutdown right after the write cannot leave a placement request rejecting unobserved.
      setNoise(text: string) {
        const specs = text.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => parseNoiseSpec(l));
        self.#noise = specs;
        return self.#applyNoise();
      },
      noiseMask: () => self.#noiseMask,
      setNoiseMask(cpus: readonly number[]) {
        self.#noiseMask = [...cpus];
        return self.#applyNoise();
      },
    };
  }
}

/** Bounds of the numeric knobs (for CLI validation messages). */
export const TIMERLAT_KNOBS = KNOBS;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
