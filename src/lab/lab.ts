// The Lab facade: boots N simulated CPUs as real worker threads, runs user tasks as real worker
// threads behind kernel-style syscalls, exposes tracefs, and shuts everything down, whatever happened.
// Control plane (main thread). The hot paths never pass through here: they run on shared memory.
import { EventEmitter } from 'node:events';
import type { Piscina } from 'piscina';
import { kerr } from '../errno.js';
import { clockNs } from '../shm/clock.js';
import { allocateKernel, type IpiName, type KernelShm } from '../kernel/layout.js';
import { allocateTasks, type TaskShm } from '../kernel/task-layout.js';
import { Tracefs } from '../tracefs/tree.js';
import { addCoreFiles } from '../tracefs/files/core.js';
import { createCpuPool, createTaskPool } from './pools.js';
import { CpuSet, type CpuFault, type CpuStats } from './cpus.js';
import { TaskSet, type ExitStatus, type MigrateEvent, type SpawnOptions, type Task } from './tasks.js';
import { Tracing, type TracepipeApi, type TracingOptions } from './tracing.js';
import type { RingBuffer } from '../ringbuf/index.js';
import { LabTimerlat, timerlatHooks, type TimerlatHooks } from './timerlat.js';
import { LabPerf } from './perf.js'; // perf
import { LabUintr } from './uintr.js';
import { resolveLabOptions, type LabOptions } from './lab-options.js';
import type { TimerSlackRequest, TimerSlackState } from '../kernel/timer-slack.js';
import { controlTracefs, type TracefsApi } from './tracefs-api.js';
import { armTimers, busySection, ipiRoundTrip, type FiredTimer } from './cpu-requests.js';

export type { LabOptions, TracefsApi, FiredTimer, TimerSlackState };
export type { TracefsHandle } from './tracefs-api.js';

/** Events a lab emits. */
export interface LabEvents {
  /** A CPU actor threw or its worker died. */
  fault: [CpuFault];
  /** A task changed CPU (the sched_migrate_task tracepoint). */
  sched_migrate_task: [MigrateEvent];
  /** A task ended. */
  exit: [Task, ExitStatus];
}

const SHUTDOWN_STEP_MS = 5000;

/**
 * A running lab: N CPU actors on one piscina pool, user tasks on another, shared memory between them.
 *
 * @example
 * const lab = await Lab.boot({ cpus: 4 });
 * const task = await lab.spawn('./my-task.js', { affinity: [1], arg: { loops: 10 } });
 * console.log(await task.exited); // { code: 0 }
 * await lab.shutdown();
 */
export class Lab extends EventEmitter<LabEvents> {
  /** Number of simulated CPUs. */
  readonly cpus: number;
  /** The tracefs tree. */
  readonly tracefs: TracefsApi;
  readonly #k: KernelShm;
  readonly #t: TaskShm;
  readonly #cpuPool: Piscina;
  readonly #taskPool: Piscina;
  readonly #cpuSet: CpuSet;
  readonly #tasks: TaskSet;
  readonly #fs: Tracefs;
  readonly #tracing: Tracing;
  readonly #timerlat: LabTimerlat;
  readonly #tl: TimerlatHooks;
  readonly #perf: LabPerf; // perf
  readonly #uintr: LabUintr;
  #tracer = 'nop';
  #shutdown: Promise<void> | undefined;

  private constructor(cpus: number, maxTasks: number, tracing: TracingOptions, uintr: boolean, timerSlackNs: TimerSlackRequest) {
    super();
    this.cpus = cpus;
    this.#k = allocateKernel(cpus, maxTasks);
    this.#t = allocateTasks(maxTasks);
    this.#fs = new Tracefs();
    this.#tracing = new Tracing(this.#fs, this.#k, tracing, {
      onResize: (ring) => this.#cpuSet.broadcast({ type: 'ring.attach', ring }),
      cpuOf: (pid) => this.#tasks.tryCpuOf(pid) ?? 0,
      commOf: (pid) => this.#tasks.get(pid)?.comm ?? this.#timerlat.kthreadComm(pid),
      tracer: () => this.#tracer,
    });
    this.#cpuPool = createCpuPool(cpus);
    this.#taskPool = createTaskPool(maxTasks);
    this.#uintr = new LabUintr({ maxTasks, enabled: uintr });
    this.#cpuSet = new CpuSet(this.#k, this.#cpuPool, (f) => this.emit('fault', f), (n) => this.#tl.onNotice(n));
    this.#perf = new LabPerf({ tasks: this.#t }); // perf
    this.#tasks = new TaskSet(this.#k, this.#t, this.#taskPool, this.#fs, {
      perf: this.#perf, // perf
      shared: () => ({ ring: this.#tracing.handle, ringGen: Atomics.load(this.#k.i32, this.#k.ringGenIndex), timerlatSab: this.#timerlat.shm.views.sab, timerSlackNs }), // acquire: the generation of this handle
      onMigrate: (ev) => {
        this.#tl.onMigrate(ev.pid, ev.origCpu, ev.destCpu);
        this.emit('sched_migrate_task', ev);
      },
      onExit: (task, st) => {
        this.#perf.onExit(task.pid); // perf: events detach, the last thread closes the process's perf fds
        this.emit('exit', task, st);
      },
      uintr: this.#uintr,
    });
    addCoreFiles(this.#fs, cpus, {
      available: () => ['timerlat', 'nop'],
      current: () => this.#tracer,
      setCurrent: async (name) => {
        if (this.#tracer === 'timerlat') this.#tl.tracerStopped('tracer-changed');
        this.#tracer = name;
        if (name === 'timerlat') this.#tl.tracerStarted();
      },
      tracingOn: () => this.#tracing.isOn(),
      setTracingOn: async (on) => {
        this.#tracing.setOn(on);
        if (this.#tracer === 'timerlat') this.#tl.tracingOnWritten(on);
      },
    });
    this.#timerlat = new LabTimerlat({
      cpus,
      fs: this.#fs,
      cpuSet: this.#cpuSet,
      cpuOf: (pid) => this.#tasks.tryCpuOf(pid),
      affinityOf: (pid) => this.#tasks.affinityOf(pid),
      killHolder: (pid) => {
        try {
          this.#tasks.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      },
      tracingOn: () => this.#tracing.isOn(),
      setTracingOn: (on) => this.#tracing.setOn(on),
    });
    this.#tl = timerlatHooks(this.#timerlat);
    this.tracefs = controlTracefs(this.#fs, (syscall) => this.#alive(syscall));
  }

  /** Boot a lab: allocate shared memory, start the CPU actors, wait until all are online. */
  static async boot(opts: LabOptions = {}): Promise<Lab> {
    const o = resolveLabOptions(opts);
    const lab = new Lab(o.cpus, o.maxTasks, o.tracing, o.uintr, o.timerSlackNs);
    try {
      await lab.#cpuSet.boot(lab.#t, lab.#tracing.handle, lab.#timerlat.shm.views.sab, o.bootTimeoutMs, o.timerSlackNs);
    } catch (e) {
      await lab.shutdown();
      throw e;
    }
    return lab;
  }

  /** The shared monotonic clock, in ns (the same in every thread of the lab). */
  now(): number {
    return clockNs();
  }

  /** Start a user task: `export default function main(ctx, arg)` of `module`, in a worker of its own. */
  async spawn(module: string | URL, opts: SpawnOptions = {}): Promise<Task> {
    this.#alive('spawn');
    return this.#tasks.spawn(module, opts);
  }

  /** Send a signal by name or number. SIGKILL ends the task's worker for real. Job control (SIGSTOP, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU) is not modelled: EINVAL. */
  async kill(pid: number, sig: number | string = 'SIGTERM'): Promise<void> {
    this.#alive('kill');
    this.#tasks.kill(pid, sig);
  }

  /** Change a task's affinity (sched_setaffinity); it migrates when its CPU leaves the mask. */
  async setAffinity(pid: number, cpus: readonly number[]): Promise<void> {
    this.#alive('sched_setaffinity');
    this.#tasks.setAffinity(pid, cpus);
  }

  /** Inject a migration of a task to another CPU of its affinity mask. */
  async migrate(pid: number, cpu: number): Promise<void> {
    this.#alive('migrate');
    this.#tasks.migrate(pid, cpu);
  }

  /** The current CPU of a live task. */
  cpuOf(pid: number): number {
    return this.#tasks.cpuOf(pid);
  }

  /** A task's scheduler state as the process table shows it ('blocked' while it sleeps in a syscall). */
  schedState(pid: number): 'created' | 'running' | 'blocked' | 'gone' {
    return this.#tasks.schedState(pid);
  }

  /** A task by pid, live or recently ended (the last 1024 ended tasks are kept for waitpid and lookups). */
  task(pid: number): Task | undefined {
    return this.#tasks.get(pid);
  }

  /** Live tasks. */
  ps(): Task[] {
    return this.#tasks.live;
  }

  /** Send an IPI from the control plane: `resched`, `call` or `ping`. */
  ipi(cpu: number, reason: Exclude<IpiName, 'shutdown' | 'crash' | 'pong' | 'syscall'>): void {
    this.#alive('ipi');
    this.#cpuSet.ipi(cpu, reason);
  }

  /** Have CPU `from` ping CPU `to` `rounds` times; resolves with each round trip in ns. */
  async ipiRoundTrip(from: number, to: number, rounds = 1): Promise<number[]> {
    this.#alive('ipi');
    return ipiRoundTrip(this.#cpuSet, this.cpus, from, to, rounds);
  }

  /** Arm hrtimers at absolute `deadlinesNs` on `cpu`; resolves with when each fired. */
  async armTimers(cpu: number, deadlinesNs: readonly number[]): Promise<FiredTimer[]> {
    this.#alive('hrtimer');
    return armTimers(this.#cpuSet, cpu, deadlinesNs);
  }

  /** Run a non-preemptible kernel section of `busyUs` on `cpu`; resolves with its start and end. */
  async busy(cpu: number, busyUs: number): Promise<{ startNs: number; endNs: number }> {
    this.#alive('busy');
    return busySection(this.#cpuSet, cpu, busyUs);
  }

  /** Per-CPU counters, read from shared memory without pausing anything. */
  cpuStats(): CpuStats[] {
    return Array.from({ length: this.cpus }, (_, c) => this.#cpuSet.stats(c));
  }

  /** Faults of CPU actors seen so far. */
  get faults(): readonly CpuFault[] {
    return this.#cpuSet.faults;
  }

  /** Test hook: make CPU `cpu`'s actor throw (`'throw'`) or its worker exit (`'exit'`). */
  injectFault(cpu: number, mode: 'throw' | 'exit' = 'throw'): void {
    this.#alive('inject');
    this.#cpuSet.post(cpu, { type: 'fault.inject', mode });
  }

  /** Worker threads still alive in the CPU and task pools. */
  get workers(): { readonly cpu: number; readonly task: number } {
    return { cpu: this.#cpuPool.threads.length, task: this.#taskPool.threads.length };
  }

  /** The timer slack the lab's threads set on themselves (LabOptions.timerSlackNs), and why not, if refused. */
  get timerSlack(): TimerSlackState {
    return this.#cpuSet.timerSlack;
  }

  /** True once shutdown() was called. */
  get closed(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Named tracepipe channels (seed 003): recorded only while a reader holds them open. */
  get tracepipe(): TracepipeApi {
    return this.#tracing.tracepipe;
  }

  /** Flight recorder: swap `cpu`'s trace buffer with its spare and return the swapped-out events as trace lines. */
  flightRecord(cpu: number): string[] {
    return this.#tracing.flightRecord(cpu);
  }

  /** The trace ring buffer (the control plane's attachment): read, stats, swapCpu. */
  get ring(): RingBuffer {
    return this.#tracing.ring;
  }

  /** perf events and task memory: counters the scheduler feeds (`bump`), leak checks. */ // perf
  get perf(): LabPerf {
    return this.#perf;
  }

  /** The timerlat tracer: configuration through tracefs, statistics, stop events. */
  get timerlat(): LabTimerlat {
    return this.#timerlat;
  }

  /** User interrupts: per-task receiver/sender state, and `getfd` to hand a uintr fd to another process. */
  get uintr(): LabUintr {
    return this.#uintr;
  }

  /** Kill every task, stop every CPU, destroy both pools. Idempotent; leaves no worker behind. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#tl.dispose();
      this.#tracing.shutdown();
      await this.#tasks.shutdown(SHUTDOWN_STEP_MS);
      await this.#cpuSet.shutdown(SHUTDOWN_STEP_MS);
      await Promise.allSettled([this.#taskPool.destroy(), this.#cpuPool.destroy()]);
    })();
    return this.#shutdown;
  }

  #alive(syscall: string): void {
    if (this.#shutdown !== undefined) throw kerr('ESHUTDOWN', syscall, undefined, 'the lab is shut down');
  }
}
