// The moving parts of `tracelab stress timerlat` (timerlat-stress.ts): one seeded lane per CPU runs
// timerlat_fd holder lives (close, SIGKILL, self-migration, control-plane migration, an EBUSY
// contender), ends epochs with a tracer change, and notes every invariant it checks. Control plane;
// every wait is bounded by WAIT_MS.
import { mulberry32 } from '../shm/prng.js';
import type { Lab } from '../lab/lab.js';
import type { ExitStatus, Task } from '../lab/tasks.js';
import { clockNs } from '../shm/clock.js';
import { waitWordAsync } from '../shm/wait.js';
import { program } from './runner.js';
import { bounded } from './bounded.js';

/** The holder lives a lane picks from (by index, from its seeded generator). */
export const ACTIONS = ['close', 'kill', 'migrate-self', 'migrate-ctl'] as const;
/** What one holder life does. */
export type Action = (typeof ACTIONS)[number];
/** Exit codes of programs/timerlat-cycle.ts and programs/timerlat-open.ts. */
const CODE = { ok: 0, einval: 3, openEinval: 10, ebusy: 11 } as const;
/** Bound on any single wait of the run (a holder's progress, an exit). */
export const WAIT_MS = 10_000;

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
  /** Tracing stops (migration exceptions): each may cut one activation short on every CPU, its irq counted but not its thread or user-ret sample. */
  stops: number;
}

/** The state of one run: seeded lanes, the holder lives, the invariant notes and tallies. */
export class Run {
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
    this.tally = { holders: new Array<number>(lab.cpus).fill(0), abnormal: new Array<number>(lab.cpus).fill(0), stops: 0 };
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
      this.tally.stops++;
      // The exception turned the buffer off; tracing_on 1 restarts it (the timers never stopped).
      await this.lab.tracefs.write('tracing_on', '1');
    }
    const again = await this.tryOpen(cpu);
    this.note('no_leaked_holder', isCode(again, CODE.ok), `${where}: reopening cpu${cpu} after the holder ended got ${show(again)}, want 0`);
  }

  /** Counts of the epoch so far: 0 ≤ irq − thread ≤ noWaiter + holders that died + tracing stops; 0 ≤ thread − user ≤ holders + tracing stops (a stop counts nothing more of the activation in flight). */
  checkCounts(label: string): { irq: number; thread: number; user: number } {
    const sum = { irq: 0, thread: 0, user: 0 };
    for (const s of this.lab.timerlat.snapshot()) {
      const { irq, thread, user } = { irq: s.irq.count, thread: s.thread.count, user: s.user.count };
      sum.irq += irq;
      sum.thread += thread;
      sum.user += user;
      const lost = this.tally.abnormal[s.cpu]! + s.noWaiter + this.tally.stops;
      const holders = this.tally.holders[s.cpu]! + this.tally.stops;
      const ok = thread <= irq && irq - thread <= lost && user <= thread && thread - user <= holders;
      this.note('counts_consistent', ok, `${label} cpu${s.cpu}: irq ${irq}, thread ${thread}, user-ret ${user}; allowed irq−thread ≤ ${lost} (died ${this.tally.abnormal[s.cpu]}, no waiter ${s.noWaiter}, tracing stops ${this.tally.stops}), thread−user ≤ ${holders} holders + stops`);
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
    this.tally = { holders: new Array<number>(this.lab.cpus).fill(0), abnormal: new Array<number>(this.lab.cpus).fill(0), stops: 0 };
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
