// The control plane's side of the CPU actors: boot them on the CPU pool, correlate control
// requests with replies, read their shared stats, send IPIs, record faults, shut them down.
// Control plane (main thread) only.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { kerr } from '../errno.js';
import { ring } from '../shm/doorbell.js';
import { readConsistent } from '../shm/seqcount.js';
import { clockNs } from '../shm/clock.js';
import { CPU, CpuState, Ipi, type IpiName, type KernelShm } from '../kernel/layout.js';
import type { TaskShm } from '../kernel/task-layout.js';
import type { RingHandle } from '../ringbuf/index.js';
import type { TimerlatNotice } from '../tracers/timerlat.js';
import type { CpuBoot, CpuExit, CpuReply, CpuRequest } from './protocol.js';
import type { TimerSlackRequest, TimerSlackState } from '../kernel/timer-slack.js';

/** A snapshot of one CPU's shared counters. */
export interface CpuStats {
  readonly cpu: number;
  readonly state: 'offline' | 'online' | 'crashed' | 'stopped';
  readonly irqs: number;
  readonly ipis: number;
  readonly timers: number;
  readonly syscalls: number;
  readonly kthreadRuns: number;
  readonly busyNs: number;
  readonly idleNs: number;
  /** Next hrtimer deadline (clock ns), or null when none is armed. */
  readonly nextDeadlineNs: number | null;
}

/** A fault of a CPU actor: it threw or its worker died. */
export interface CpuFault {
  readonly cpu: number;
  readonly message: string;
  readonly atNs: number;
}

type Pending = { cpu: number; resolve: (r: CpuReply) => void; reject: (e: Error) => void };

const STATE_NAMES = ['offline', 'online', 'crashed', 'stopped'] as const;

/** The CPU actors of one lab. */
export class CpuSet {
  readonly #k: KernelShm;
  readonly #pool: Piscina;
  readonly #ports: MessagePort[] = [];
  readonly #runs: Array<Promise<void>> = [];
  #timerSlack: TimerSlackState = { ns: null, failed: 'ENODEV' }; // until CPU 0 is online
  readonly #pending = new Map<number, Pending>();
  readonly #faults: CpuFault[] = [];
  readonly #onFault: (f: CpuFault) => void;
  readonly #onNotice: (n: TimerlatNotice) => void;
  #nextId = 1;

  constructor(k: KernelShm, pool: Piscina, onFault: (f: CpuFault) => void, onNotice: (n: TimerlatNotice) => void = () => {}) {
    this.#k = k;
    this.#pool = pool;
    this.#onFault = onFault;
    this.#onNotice = onNotice;
  }

  /** Post the same control message to every online CPU. */
  broadcast(msg: CpuRequest): void {
    for (let cpu = 0; cpu < this.#k.cpus; cpu++) if (this.stats(cpu).state === 'online') this.post(cpu, msg);
  }

  /** Start every CPU actor and resolve once all are online, or reject after `timeoutMs`. */
  async boot(t: TaskShm, ring: RingHandle, timerlatSab: SharedArrayBuffer, timeoutMs: number, timerSlackNs: TimerSlackRequest): Promise<void> {
    const online = new Set<number>();
    let allOnline!: () => void;
    const ready = new Promise<void>((r) => (allOnline = r));
    for (let cpu = 0; cpu < this.#k.cpus; cpu++) {
      const { port1, port2 } = new MessageChannel();
      this.#ports.push(port1);
      port1.on('message', (msg: CpuReply) => {
        if (msg.type === 'cpu.online') {
          online.add(msg.cpu);
          if (msg.cpu === 0 || msg.timerSlack.failed !== null) this.#timerSlack = msg.timerSlack; // a refusal anywhere shows
          if (online.size === this.#k.cpus) allOnline();
          return;
        }
        if (msg.type === 'timerlat.stop_hit' || msg.type === 'timerlat.exception') {
          this.#onNotice(msg);
          return;
        }
        const p = this.#pending.get(msg.id);
        if (p === undefined) return;
        this.#pending.delete(msg.id);
        p.resolve(msg);
      });
      port1.unref();
      const payload: CpuBoot = { type: 'cpu.boot', cpu, kernelSab: this.#k.views.sab, tasksSab: t.views.sab, ring, timerlatSab, port: port2, timerSlackNs };
      const run = this.#pool.run(payload, { transferList: [port2] }).then(
        (_exit: CpuExit) => undefined,
        (err: unknown) => this.#fault(cpu, err),
      );
      this.#runs.push(run);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(kerr('ETIMEDOUT', 'boot', undefined, `CPU actors not online after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The timer slack the CPU actors set on their threads (CPU 0's, or a CPU's that could not set it). */
  get timerSlack(): TimerSlackState {
    return this.#timerSlack;
  }

  /** Faults seen so far. */
  get faults(): readonly CpuFault[] {
    return this.#faults;
  }

  /** Send a control request to `cpu` and wait for its reply. */
  request<R extends CpuReply>(cpu: number, build: (id: number) => CpuRequest, timeoutMs = 30_000): Promise<R> {
    this.#check(cpu, 'request');
    const id = this.#nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(kerr('ETIMEDOUT', 'cpu request', `cpu${cpu}`, `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        cpu,
        resolve: (r) => (clearTimeout(timer), resolve(r as R)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.post(cpu, build(id));
    });
  }

  /** Post a control message without waiting for a reply. */
  post(cpu: number, msg: CpuRequest): void {
    this.#check(cpu, 'post');
    this.#ports[cpu]!.postMessage(msg);
    ring(this.#k.i32, this.#k.cpuBase(cpu) + CPU.PENDING, Ipi.CALL); // publish: the message is queued first
  }

  /** Send an IPI with a named reason from the control plane. */
  ipi(cpu: number, reason: IpiName): void {
    this.#check(cpu, 'ipi');
    const bits = reason === 'shutdown' || reason === 'crash' ? 0 : Ipi[reason.toUpperCase() as keyof typeof Ipi];
    if (bits === 0 || bits === undefined) throw kerr('EINVAL', 'ipi', `cpu${cpu}`, `reason must be resched, call or ping`);
    ring(this.#k.i32, this.#k.cpuBase(cpu) + CPU.PENDING, bits);
  }

  /** One CPU's counters, read without stopping it. */
  stats(cpu: number): CpuStats {
    const k = this.#k;
    const b = k.cpuBase(cpu);
    const fb = b / 2;
    const times = readConsistent(k.i32, b + CPU.SEQ, () => [k.f64[fb + CPU.F64_BUSY_NS]!, k.f64[fb + CPU.F64_IDLE_NS]!] as const).value;
    const next = k.f64[fb + CPU.F64_NEXT_DEADLINE_NS]!; // stale-ok
    return {
      cpu,
      state: STATE_NAMES[Atomics.load(k.i32, b + CPU.STATE)] ?? 'offline',
      irqs: Atomics.load(k.i32, b + CPU.IRQS),
      ipis: Atomics.load(k.i32, b + CPU.IPIS),
      timers: Atomics.load(k.i32, b + CPU.TIMERS),
      syscalls: Atomics.load(k.i32, b + CPU.SYSCALLS),
      kthreadRuns: Atomics.load(k.i32, b + CPU.KTHREAD_RUNS),
      busyNs: times[0],
      idleNs: times[1],
      nextDeadlineNs: Number.isFinite(next) && next > 0 ? next : null,
    };
  }

  /** Ask every CPU actor to leave its loop; resolves when all runs settled or `timeoutMs` passed. */
  async shutdown(timeoutMs: number): Promise<void> {
    Atomics.store(this.#k.i32, this.#k.shutdownIndex, 1); // single writer (control plane)
    for (let cpu = 0; cpu < this.#k.cpus; cpu++) ring(this.#k.i32, this.#k.cpuBase(cpu) + CPU.PENDING, Ipi.SHUTDOWN);
    for (const p of this.#pending.values()) p.reject(kerr('ESHUTDOWN', 'cpu request', undefined, 'the lab shut down before the CPU replied'));
    this.#pending.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.#runs), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    for (const port of this.#ports) port.close();
  }

  #check(cpu: number, syscall: string): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.#k.cpus) {
      throw kerr('EINVAL', syscall, `cpu${cpu}`, `cpu must be 0..${this.#k.cpus - 1}`);
    }
    const state = Atomics.load(this.#k.i32, this.#k.cpuBase(cpu) + CPU.STATE);
    if (state === CpuState.CRASHED) throw kerr('EIO', syscall, `cpu${cpu}`, 'the CPU actor crashed');
  }

  #fault(cpu: number, err: unknown): void {
    Atomics.store(this.#k.i32, this.#k.cpuBase(cpu) + CPU.STATE, CpuState.CRASHED); // the actor is gone: we own the word now
    const f: CpuFault = { cpu, message: err instanceof Error ? err.message : String(err), atNs: clockNs() };
    this.#faults.push(f);
    for (const [id, p] of this.#pending) {
      if (p.cpu !== cpu) continue;
      this.#pending.delete(id); // only the work in flight on the dead CPU fails
      p.reject(kerr('EIO', 'cpu request', `cpu${cpu}`, `the CPU actor crashed: ${f.message}`));
    }
    this.#onFault(f);
  }
}
