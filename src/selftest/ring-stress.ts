// `tracelab stress ring` and the `ring` self-test suite: the ring buffer's concurrency invariants
// (those of test/concurrency/ringbuf-*.test.ts) on real worker threads. Per CPU one CPU-actor
// writer (local commits) plus M migrating task writers (remote commits on random CPUs), a slow
// watermark reader in this thread, and a committer thread that commits a quarter of the task
// writers' reservations (a migration between reserve and commit, seed 001), then: attempts == read + overrun + dropped + commit overrun
// exactly, in-band losses == counters, no torn event, sequences strictly rising per writer and CPU.
// Control plane; every wait is bounded and every worker is terminated on the way out.
import { Worker } from 'node:worker_threads';
import { clockNs } from '../shm/clock.js';
import { waitWordAsync } from '../shm/wait.js';
import { RingBuffer, type RingMode } from '../ringbuf/index.js';
import type { KtapLevel, KtapResult } from '../report/ktap.js';
import { StressVerifier } from './ring-stress-events.js';
import type { StressWriterData, StressWriterReport } from './ring-stress-worker.js';
import type { CommitterData, CommitterReport } from './ring-stress-committer.js';
import { MAILBOX_BYTES } from './ring-mailbox.js';
import type { Scenario, Suite } from './runner.js';
import { bounded } from './bounded.js';

/** Options of a ring stress run. */
export interface RingStressOptions {
  /** CPU buffers (one CPU-actor writer each). @default 2 */
  readonly cpus?: number;
  /** Migrating task writers per CPU. @default 2 */
  readonly writers?: number;
  /** @default 1000 */
  readonly durationMs?: number;
  /** @default 1 */
  readonly seed?: number;
  /** @default 'discard' */
  readonly mode?: RingMode;
}

/** One checked invariant. */
export interface RingStressCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Figures and checks of a run. */
export interface RingStressResult {
  readonly attempts: number;
  readonly read: number;
  /** Reservations committed by the committer thread, not by the thread that reserved them. */
  readonly migratedCommits: number;
  readonly lost: { overrun: number; dropped: number; commitOverrun: number };
  readonly checks: RingStressCheck[];
}

function workerUrl(name: string): URL {
  const here = import.meta.url;
  return here.includes('/dist/') ? new URL(`./${name}.js`, here) : new URL(`../../dist/src/selftest/${name}.js`, here);
}

/** Share of a task writer's reservations the committer thread commits. */
const MIGRATE_SHARE = 0.25;

/** Run the stress once and return its checks (never throws on a broken invariant; it reports it). */
export async function runRingStress(opts: RingStressOptions = {}): Promise<RingStressResult> {
  const cpus = opts.cpus ?? 2;
  const perCpu = opts.writers ?? 2;
  const seed = opts.seed ?? 1;
  const ring = RingBuffer.create({ cpus, subbufSize: 1024, subbufsPerCpu: 8, mode: opts.mode ?? 'discard' });
  const control = new SharedArrayBuffer(12); // [0] stop, [1] park mode (unused here), [2] writers started
  const all = Array.from({ length: cpus }, (_, c) => c);
  const specs: StressWriterData[] = [];
  for (let c = 0; c < cpus; c++) {
    specs.push({ handle: ring.handle, writerId: specs.length + 1, cpus: [c], ownerCpu: c, seed: seed + specs.length, control, maxExtra: 48 });
  }
  const mailboxes: SharedArrayBuffer[] = [];
  for (let i = 0; i < cpus * perCpu; i++) {
    const mailbox = new SharedArrayBuffer(MAILBOX_BYTES);
    mailboxes.push(mailbox);
    specs.push({ handle: ring.handle, writerId: specs.length + 1, cpus: all, ownerCpu: -1, seed: seed + specs.length, control, maxExtra: 48, migrateShare: MIGRATE_SHARE, mailbox });
  }
  const report = <T>(w: Worker, what: string): Promise<T> => {
    const p = new Promise<T>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`${what} exited with ${code} before reporting`)));
    });
    p.catch(() => undefined);
    return p;
  };
  const workers = specs.map((d) => new Worker(workerUrl('ring-stress-worker'), { workerData: d }));
  const committer = new Worker(workerUrl('ring-stress-committer'), { workerData: { handle: ring.handle, mailboxes, seed: seed + 0x5eed } satisfies CommitterData });
  workers.push(committer);
  const reports = specs.map((_, i) => report<StressWriterReport>(workers[i]!, 'writer'));
  const committed = report<CommitterReport>(committer, 'committer');
  const v = new StressVerifier();
  const lostIn = { overrun: 0, dropped: 0, 'commit-overrun': 0, 'dead-writer': 0 };
  const readPer = new Array<number>(cpus).fill(0);
  const drain = (cpu: number, max: number): void => {
    for (let n = 0; n < max; n++) {
      const rec = ring.consumeView(cpu);
      if (rec === null) return;
      if (rec.kind === 'lost') lostIn[rec.lostReason] += rec.lostCount;
      else {
        readPer[cpu]!++;
        v.add(rec.payload, rec.payloadLength, cpu);
      }
    }
  };
  let got: StressWriterReport[];
  let migratedCommits = 0;
  try {
    // The duration counts from the moment every writer writes: on a loaded host their workers can
    // take longer to start than a short run lasts (a 1 s run under a doubled suite wrote nothing).
    const ctl = new Int32Array(control);
    const startBy = clockNs() + 15e9;
    for (let n = Atomics.load(ctl, 2); n < specs.length && clockNs() < startBy; n = Atomics.load(ctl, 2)) { // acquire: the writers' adds
      await waitWordAsync(ctl, 2, n, { deadlineNs: startBy }); // each add notifies
    }
    const end = clockNs() + (opts.durationMs ?? 1000) * 1e6;
    for (let i = 0; clockNs() < end; i++) {
      const cpu = i % cpus;
      await ring.waitForDataAsync(cpu, { watermarkPages: 2, deadlineNs: Math.min(end, clockNs() + 20e6) });
      drain(cpu, 32); // a slow reader, so writers hit full buffers
    }
    Atomics.store(new Int32Array(control), 0, 1); // publish: stop
    got = await bounded(Promise.all(reports), 15_000, 'writers to stop');
    migratedCommits = (await bounded(committed, 15_000, 'the committer to drain')).commits;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  for (let c = 0; c < cpus; c++) drain(c, Infinity);
  const checks: RingStressCheck[] = [];
  let attempts = 0;
  const lost = { overrun: 0, dropped: 0, commitOverrun: 0 };
  for (let c = 0; c < cpus; c++) {
    const st = ring.stats(c);
    const a = got.reduce((s, r) => s + r.attempts[c]!, 0);
    attempts += a;
    lost.overrun += st.overrun;
    lost.dropped += st.droppedEvents;
    lost.commitOverrun += st.commitOverrun;
    const sum = readPer[c]! + st.overrun + st.droppedEvents + st.commitOverrun;
    checks.push({ name: `cpu${c}_accounting`, ok: a === sum, detail: `cpu${c}: written ${a} == read ${readPer[c]} + overrun ${st.overrun} + dropped ${st.droppedEvents} + commit overrun ${st.commitOverrun} (= ${sum})` });
  }
  const inBand = lostIn.overrun + lostIn.dropped + lostIn['commit-overrun'];
  const counted = lost.overrun + lost.dropped + lost.commitOverrun;
  checks.push({ name: 'losses_reported_in_band', ok: inBand === counted, detail: `in-band ${inBand} == counters ${counted}` });
  const torn = v.errors.filter((e) => e.startsWith('torn'));
  checks.push({ name: 'no_torn_events', ok: torn.length === 0, detail: torn.slice(0, 3).join('; ') || `${v.events} events intact` });
  const order = v.errors.filter((e) => !e.startsWith('torn'));
  checks.push({ name: 'sequences_in_order', ok: order.length === 0, detail: order.slice(0, 3).join('; ') || 'every (writer, cpu) sequence rises' });
  checks.push({ name: 'migrated_commits_landed', ok: perCpu === 0 || migratedCommits > 0, detail: `${migratedCommits} reservations committed by another thread than their writer` });
  return { attempts, read: v.events, migratedCommits, lost, checks };
}

/** Print a run as KTAP checks on `level` (one result per invariant); returns whether all passed. */
export function reportRingStress(level: KtapLevel, opts: RingStressOptions, r: RingStressResult): boolean {
  level.diagnostic(`ring stress: cpus=${opts.cpus ?? 2} writers/cpu=${opts.writers ?? 2} mode=${opts.mode ?? 'discard'} seed=${opts.seed ?? 1} duration=${opts.durationMs ?? 1000}ms`);
  level.diagnostic(`events written ${r.attempts}, read ${r.read}, overrun ${r.lost.overrun}, dropped ${r.lost.dropped}, commit overrun ${r.lost.commitOverrun}, committed by another thread ${r.migratedCommits}`);
  for (const c of r.checks) {
    level.diagnostic(c.detail);
    const res: KtapResult = c.ok ? { kind: 'pass' } : { kind: 'fail', reason: c.detail };
    level.result(c.name, res);
  }
  return r.checks.every((c) => c.ok);
}

function scenario(mode: RingMode): Scenario {
  return {
    name: `ring_stress_${mode}_short`,
    lab: { cpus: 1 },
    timeoutS: 30,
    async run({ check, log }) {
      const opts = { cpus: 2, writers: 1, durationMs: 400, seed: 0x5eed, mode };
      const r = await runRingStress(opts);
      log(`written ${r.attempts}, read ${r.read}, overrun ${r.lost.overrun}, dropped ${r.lost.dropped}, commit overrun ${r.lost.commitOverrun}, seed ${opts.seed}`);
      for (const c of r.checks) check(c.ok, `${c.name}: ${c.detail}`);
    },
  };
}

/** The `ring` suite of `tracelab selftest`: both modes, short. */
export const ringSuite: Suite = { name: 'ring', scenarios: [scenario('discard'), scenario('overwrite')] };
