// `tracelab stress timerlat` and its short self-test: many timerlat_fd holder lives (open, read,
// close; SIGKILL; self-migration; migration from the control plane; an EBUSY contender) on every
// simulated CPU at once, in epochs that end with a tracer change (which SIGKILLs every holder).
// Invariants: every cycle ends as its action predicts, no holder leaks (each CPU opens again),
// counts stay consistent (irq ≥ thread ≥ user-ret, gaps bounded by the holders that died), no timer
// is stuck (fresh holders get samples on every CPU at the end), no task is left. Control plane;
// every wait is bounded; the seed picks every action and is printed for replay.
import { mulberry32 } from '../shm/prng.js';
import { Lab } from '../lab/lab.js';
import type { ExitStatus, Task } from '../lab/tasks.js';
import type { KtapLevel } from '../report/ktap.js';
import { clockNs } from '../shm/clock.js';
import { waitWordAsync } from '../shm/wait.js';
import { program, type Scenario } from './runner.js';

/** Options of a timerlat stress run. */
export interface TimerlatStressOptions {
  /** Simulated CPUs, one holder lane each. @default 3 */
  readonly cpus?: number;
  /** Total time spent cycling holders (the final checks come on top). @default 2000 */
  readonly durationMs?: number;
  /** Epochs: each ends with current_tracer nop (SIGKILLs holders) and timerlat again. @default max(1, durationMs / 1000) */
  readonly epochs?: number;
  /** timerlat_period_us. @default 200 */
  readonly periodUs?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Run on this lab instead of booting one (its CPU count wins; it must be fresh, tracer nop). */
  readonly lab?: Lab;
}

/** One checked invariant. */
export interface TimerlatStressCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a run did and what it checked. */
export interface TimerlatStressResult {
  readonly cycles: Readonly<Record<Action, number>>;
  /** The actions each CPU lane ran, in order (a function of the seed; the length depends on time). */
  readonly lanes: ReadonlyArray<readonly Action[]>;
  readonly epochs: number;
  readonly samples: { irq: number; thread: number; user: number };
  readonly checks: TimerlatStressCheck[];
}

const ACTIONS = ['close', 'kill', 'migrate-self', 'migrate-ctl'] as const;
/** What one holder life does. */
export type Action = (typeof ACTIONS)[number];
/** Exit codes of programs/timerlat-cycle.ts and programs/timerlat-open.ts. */
const CODE = { ok: 0, einval: 3, openEinval: 10, ebusy: 11 } as const;
/** Bound on any single wait of the run (a holder's progress, an exit). */
const WAIT_MS = 10_000;


async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

const show = (st: ExitStatus): string => JSON.stringify(st);
const isCode = (st: ExitStatus, code: number): boolean => 'code' in st && st.code === code;
const isKill = (st: ExitStatus): boolean => 'signal' in st && st.signal === 'SIGKILL';

/** A holder task with its shared read counter. */
interface Holder {
  readonly task: Task;
  readonly reads: Int32Array;
}

/** Per-CPU bookkeeping of one epoch: holders that read at least once, and those that died mid-activation. */
interface EpochTally {
  holders: number[];
  abnormal: number[];
}

class Run {
  readonly lab: Lab;
  readonly rngs: Array<() => number>;
  /** Actions in order, per CPU lane (each lane has its own seeded generator, so async interleaving cannot change them). */
  readonly lanes: Action[][];
  readonly failures = new Map<string, string[]>();
  readonly passes = new Map<string, number>();
  readonly cycles: Record<Action, number> = { close: 0, kill: 0, 'migrate-self': 0, 'migrate-ctl': 0 };
  tally: EpochTally;
  readonly total = { irq: 0, thread: 0, user: 0 };

  constructor(lab: Lab, seed: number) {
    this.lab = lab;
    this.rngs = Array.from({ length: lab.cpus }, (_, cpu) => mulberry32((seed + Math.imul(cpu + 1, 0x9e3779b9)) >>> 0));
    this.lanes = Array.from({ length: lab.cpus }, () => []);
    this.tally = { holders: new Array<number>(lab.cpus).fill(0), abnormal: new Array<number>(lab.cpus).fill(0) };
  }

  int(cpu: number, lo: number, hi: number): number {
    return lo + Math.floor(this.rngs[cpu]!() * (hi - lo + 1));
  }

  /** Record one invariant outcome; failures keep their first few details. */
  note(check: string, ok: boolean, detail: string): void {
    if (ok) this.passes.set(check, (this.passes.get(check) ?? 0) + 1);
    else {
      const f = this.failures.get(check) ?? [];
      if (f.length < 5) f.push(detail);
      this.failures.set(check, f);
    }
  }

  async holder(cpu: number, arg: { loops: number; migrateAfter?: number; migrateTo?: number }): Promise<Holder> {
    const counter = new SharedArrayBuffer(4);
    const task = await this.lab.spawn(program('timerlat-cycle'), { arg: { cpu, counter, slot: 0, ...arg }, comm: `tl-holder-${cpu}` });
    return { task, reads: new Int32Array(counter) };
  }

  /** Wait until the holder completed `n` reads (or ended); false when it ended first. */
  async readsAtLeast(h: Holder, n: number): Promise<boolean> {
    const deadlineNs = clockNs() + WAIT_MS * 1e6;
    let ended = false;
    void h.task.exited.then(() => (ended = true));
    for (let v = Atomics.load(h.reads, 0); v < n; v = Atomics.load(h.reads, 0)) {
      if (ended) return false;
      // Short slices so an exit is noticed; the deadline bounds the whole wait.
      const r = await waitWordAsync(h.reads, 0, v, { deadlineNs: Math.min(deadlineNs, clockNs() + 50e6) });
      if (r === 'timed-out' && clockNs() >= deadlineNs) throw new Error(`pid ${h.task.pid}: fewer than ${n} reads within ${WAIT_MS} ms (${Atomics.load(h.reads, 0)})`);
    }
    return true;
  }

  async exit(h: Holder | Task, what: string): Promise<ExitStatus> {
    const task = 'task' in h ? h.task : h;
    return bounded(task.exited, WAIT_MS, `${what} (pid ${task.pid}) to exit`);
  }

  /** open()+close() of cpu's timerlat_fd by a task pinned there; returns the exit code mapping. */
  async tryOpen(cpu: number): Promise<ExitStatus> {
    const t = await this.lab.spawn(program('timerlat-open'), { arg: { cpu, pin: [cpu] }, comm: `tl-open-${cpu}` });
    return this.exit(t, `open probe on cpu${cpu}`);
  }

  /** One holder life on `cpu`, picked by the seed, then the reopen probe. */
  async cycle(cpu: number): Promise<void> {
    const action = ACTIONS[this.int(cpu, 0, ACTIONS.length - 1)]!;
    const other = (cpu + this.int(cpu, 1, this.lab.cpus - 1)) % this.lab.cpus;
    const k = this.int(cpu, 1, 6);
    const contend = this.int(cpu, 0, 1) === 1;
    const loops = this.int(cpu, 2, 20);
    this.cycles[action]++;
    this.lanes[cpu]!.push(action);
    const where = `cpu${cpu} ${action}`;
    if (action === 'close') {
      const h = await this.holder(cpu, { loops });
      const st = await this.exit(h, where);
      this.note('cycles_end_as_expected', isCode(st, CODE.ok) && Atomics.load(h.reads, 0) === loops, `${where}: ${show(st)} after ${Atomics.load(h.reads, 0)}/${loops} reads ${h.task.error ?? ''}`);
      if (loops > 0) this.tally.holders[cpu]!++;
    } else if (action === 'kill') {
      const h = await this.holder(cpu, { loops: 0 });
      const reading = await this.readsAtLeast(h, k);
      if (contend) {
        const c = await this.tryOpen(cpu);
        this.note('contender_gets_ebusy', isCode(c, CODE.ebusy), `${where}: a second opener on cpu${cpu} got ${show(c)}, want EBUSY (11)`);
      }
      await this.lab.kill(h.task.pid, 'SIGKILL').catch(() => undefined);
      const st = await this.exit(h, where);
      this.note('cycles_end_as_expected', reading && isKill(st), `${where}: ${show(st)} after ${Atomics.load(h.reads, 0)} reads, want SIGKILL ${h.task.error ?? ''}`);
      this.tally.holders[cpu]!++;
      this.tally.abnormal[cpu]!++;
    } else {
      const self = action === 'migrate-self';
      const h = await this.holder(cpu, self ? { loops: 0, migrateAfter: k, migrateTo: other } : { loops: 0 });
      if (!self && (await this.readsAtLeast(h, k))) await this.lab.setAffinity(h.task.pid, [other]).catch(() => undefined);
      const st = await this.exit(h, where);
      // Migration is EINVAL on the next read plus a stop, never a kill: the task exits on its own.
      this.note('cycles_end_as_expected', isCode(st, CODE.einval), `${where}→cpu${other}: ${show(st)}, want exit 3 (EINVAL on read) ${h.task.error ?? ''}`);
      this.tally.holders[cpu]!++;
      this.tally.abnormal[cpu]!++;
      // The exception turned the buffer off; tracing_on 1 restarts it (the timers never stopped).
      await this.lab.tracefs.write('tracing_on', '1');
    }
    const again = await this.tryOpen(cpu);
    this.note('no_leaked_holder', isCode(again, CODE.ok), `${where}: reopening cpu${cpu} after the holder ended got ${show(again)}, want 0`);
  }

  /** Counts of the epoch so far: 0 ≤ irq − thread ≤ noWaiter + holders that died; 0 ≤ thread − user ≤ holders. */
  checkCounts(label: string): { irq: number; thread: number; user: number } {
    const sum = { irq: 0, thread: 0, user: 0 };
    for (const s of this.lab.timerlat.snapshot()) {
      const { irq, thread, user } = { irq: s.irq.count, thread: s.thread.count, user: s.user.count };
      sum.irq += irq;
      sum.thread += thread;
      sum.user += user;
      const lost = this.tally.abnormal[s.cpu]! + s.noWaiter;
      const holders = this.tally.holders[s.cpu]!;
      const ok = thread <= irq && irq - thread <= lost && user <= thread && thread - user <= holders;
      this.note('counts_consistent', ok, `${label} cpu${s.cpu}: irq ${irq}, thread ${thread}, user-ret ${user}; allowed irq−thread ≤ ${lost} (died ${this.tally.abnormal[s.cpu]}, no waiter ${s.noWaiter}), thread−user ≤ ${holders} holders`);
    }
    return sum;
  }

  /** End an epoch: a holder on every CPU, then current_tracer nop must SIGKILL them all; then timerlat again. */
  async tracerChange(epoch: number): Promise<void> {
    const hs = await Promise.all(Array.from({ length: this.lab.cpus }, (_, cpu) => this.holder(cpu, { loops: 0 })));
    await Promise.all(hs.map((h) => this.readsAtLeast(h, 2)));
    for (let cpu = 0; cpu < this.lab.cpus; cpu++) {
      this.tally.holders[cpu]!++;
      this.tally.abnormal[cpu]!++;
    }
    await this.lab.tracefs.write('current_tracer', 'nop');
    const sts = await Promise.all(hs.map((h, cpu) => this.exit(h, `epoch ${epoch} holder on cpu${cpu}`)));
    sts.forEach((st, cpu) => this.note('tracer_change_sigkills_holders', isKill(st), `epoch ${epoch} cpu${cpu}: holder ended ${show(st)}, want SIGKILL`));
    const n = this.checkCounts(`epoch ${epoch}`);
    this.total.irq += n.irq;
    this.total.thread += n.thread;
    this.total.user += n.user;
    const closed = await this.tryOpen(0);
    this.note('cycles_end_as_expected', isCode(closed, CODE.openEinval), `epoch ${epoch}: open with tracer nop got ${show(closed)}, want EINVAL (10)`);
    await this.lab.tracefs.write('current_tracer', 'timerlat');
    this.tally = { holders: new Array<number>(this.lab.cpus).fill(0), abnormal: new Array<number>(this.lab.cpus).fill(0) };
  }

  /** After everything stopped: a fresh holder on each CPU must get `loops` activations within the bound. */
  async noStuckTimer(loops: number): Promise<void> {
    if ((await this.lab.tracefs.read('tracing_on')) !== '1\n') await this.lab.tracefs.write('tracing_on', '1');
    const before = this.lab.timerlat.snapshot().map((s) => s.irq.count);
    const hs = await Promise.all(Array.from({ length: this.lab.cpus }, (_, cpu) => this.holder(cpu, { loops })));
    for (let cpu = 0; cpu < this.lab.cpus; cpu++) this.tally.holders[cpu]!++;
    const sts = await Promise.all(hs.map((h, cpu) => this.exit(h, `final holder on cpu${cpu}`).catch((e: unknown) => ({ error: String(e) }))));
    const after = this.lab.timerlat.snapshot();
    sts.forEach((st, cpu) => {
      const grew = after[cpu]!.irq.count - before[cpu]!;
      const ok = 'code' in st && st.code === 0 && grew >= loops;
      this.note('no_stuck_timer', ok, `cpu${cpu}: fresh holder ${JSON.stringify(st)}, irq samples +${grew}, want exit 0 and +${loops}`);
    });
  }
}

/** Run the stress and return its checks (never throws on a broken invariant; it reports it). */
export async function runTimerlatStress(opts: TimerlatStressOptions = {}): Promise<TimerlatStressResult> {
  const lab = opts.lab ?? (await Lab.boot({ cpus: opts.cpus ?? 3 }));
  const durationMs = opts.durationMs ?? 2000;
  const epochs = opts.epochs ?? Math.max(1, Math.round(durationMs / 1000));
  const run = new Run(lab, opts.seed ?? 1);
  try {
    if (lab.cpus < 2) throw new Error('stress timerlat needs at least 2 CPUs (holders migrate between them)');
    await lab.tracefs.write('osnoise/timerlat_period_us', String(opts.periodUs ?? 200));
    await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
    await lab.tracefs.write('current_tracer', 'timerlat');
    for (let e = 0; e < epochs; e++) {
      const end = clockNs() + (durationMs / epochs) * 1e6;
      await Promise.all(
        Array.from({ length: lab.cpus }, async (_, cpu) => {
          while (clockNs() < end) await run.cycle(cpu);
        }),
      );
      await run.tracerChange(e + 1);
    }
    await run.noStuckTimer(10);
    const n = run.checkCounts('final');
    run.total.irq += n.irq;
    run.total.thread += n.thread;
    run.total.user += n.user;
    const deadline = clockNs() + WAIT_MS * 1e6;
    while (lab.ps().length > 0 && clockNs() < deadline) await new Promise((r) => setTimeout(r, 10));
    run.note('no_task_left', lab.ps().length === 0, `tasks still alive: ${lab.ps().map((t) => `${t.pid}:${t.comm}:${t.state}`).join(', ')}`);
  } catch (e) {
    run.note('run_completed', false, e instanceof Error ? e.message : String(e));
  } finally {
    if (opts.lab === undefined) await lab.shutdown();
  }
  if (opts.lab === undefined) run.note('no_worker_left', lab.workers.cpu + lab.workers.task === 0, `after shutdown: ${JSON.stringify(lab.workers)}`);
  const names = ['cycles_end_as_expected', 'contender_gets_ebusy', 'no_leaked_holder', 'tracer_change_sigkills_holders', 'counts_consistent', 'no_stuck_timer', 'no_task_left', 'run_completed', 'no_worker_left'];
  const checks = names
    .filter((n) => run.passes.has(n) || run.failures.has(n) || n === 'run_completed')
    .map((name) => {
      const f = run.failures.get(name);
      return { name, ok: f === undefined, detail: f?.join('; ') ?? `${name}: ${run.passes.get(name) ?? 0} checks held` };
    });
  return { cycles: run.cycles, lanes: run.lanes, epochs, samples: run.total, checks };
}

/** Print a run as KTAP on `level` (one result per invariant); returns whether all held. */
export function reportTimerlatStress(level: KtapLevel, opts: TimerlatStressOptions, r: TimerlatStressResult): boolean {
  level.diagnostic(`timerlat stress: cpus=${opts.lab?.cpus ?? opts.cpus ?? 3} duration=${opts.durationMs ?? 2000}ms epochs=${r.epochs} period=${opts.periodUs ?? 200}us seed=${opts.seed ?? 1}`);
  level.diagnostic(`cycles: ${ACTIONS.map((a) => `${a} ${r.cycles[a]}`).join(', ')}; samples irq ${r.samples.irq}, thread ${r.samples.thread}, user-ret ${r.samples.user}`);
  for (const c of r.checks) {
    level.diagnostic(c.detail);
    level.result(c.name, c.ok ? { kind: 'pass' } : { kind: 'fail', reason: c.detail });
  }
  return r.checks.every((c) => c.ok);
}

/** The short self-test form: 3 CPUs, 1.5 s, a fixed seed. */
export const timerlatStressScenario: Scenario = {
  name: 'stress_short',
  lab: { cpus: 3 },
  timeoutS: 40,
  async run({ lab, check, log }) {
    const opts = { lab, durationMs: 1500, epochs: 1, seed: 0x7113 };
    const r = await runTimerlatStress(opts);
    log(`cycles ${ACTIONS.map((a) => `${a} ${r.cycles[a]}`).join(', ')}, seed ${opts.seed}`);
    for (const c of r.checks) check(c.ok, `${c.name}: ${c.detail}`);
  },
};
