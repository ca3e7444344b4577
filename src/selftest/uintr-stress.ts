// `tracelab stress uintr` and the `uintr` self-test suite: user interrupts between many real lab tasks.
// R receiver tasks (polling, sleeping in uintr_wait, masking with clui/stui) and S sender tasks storming
// senduipi at seeded random (receiver, vector) targets through fds handed over with lab.uintr.getfd;
// some receivers are SIGKILLed mid-storm. Checks: every posting delivered or coalesced (the last
// generation of each vector is seen by a delivery), no delivery beyond the postings, no handler
// re-entry, nothing delivered while masked, no uintr_wait slept to its bound mid-storm (lost wake-up),
// no sender faulted. Control plane; every wait is bounded.
import { mulberry32 } from '../shm/prng.js';
import { Lab } from '../lab/lab.js';
import { kerr } from '../errno.js';
import type { LabUintr } from '../lab/uintr.js';
import type { Task } from '../lab/tasks.js';
import type { KtapLevel, KtapResult } from '../report/ktap.js';
import { waitWordAsync } from '../shm/wait.js';
import { clockNs } from '../shm/clock.js';
import * as L from './uintr-stress-layout.js';
import { program, type Scenario, type Suite } from './runner.js';
import { bounded } from './bounded.js';

/** Options of a uintr stress run. */
export interface UintrStressOptions {
  /** Receiver tasks. @default 3 */
  readonly receivers?: number;
  /** Sender tasks. @default 3 */
  readonly senders?: number;
  /** Vectors (fds) per receiver. @default 4 */
  readonly vectors?: number;
  /** Targets each sender connects to. @default 6 */
  readonly targets?: number;
  /** Receivers SIGKILLed halfway through. @default 1 */
  readonly kill?: number;
  /** @default 1000 */
  readonly durationMs?: number;
  /** @default 1 */
  readonly seed?: number;
  /** uintr_wait bound of the receivers; a wait that sleeps this long mid-storm is a lost wake-up. @default 2000000 */
  readonly waitBoundUs?: number;
}

/** One checked invariant. */
export interface UintrStressCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Figures and checks of a run. */
export interface UintrStressResult {
  readonly posts: number;
  readonly deliveries: number;
  readonly waitsWoken: number;
  readonly maskRounds: number;
  readonly killed: number;
  readonly checks: UintrStressCheck[];
}

const BOUND_MS = 60_000;


// lab.uintr, read structurally so this file builds before and after src/lab/lab.ts exposes it.
function uintrOf(lab: Lab): LabUintr {
  const u = (lab as unknown as { uintr?: LabUintr }).uintr;
  if (u === undefined) throw new Error('stress uintr: this Lab does not expose lab.uintr (wire LabUintr in src/lab/lab.ts)');
  return u;
}

async function awaitCount(w: Int32Array, i: number, want: number): Promise<void> {
  const end = clockNs() + BOUND_MS * 1e6;
  for (;;) {
    const v = Atomics.load(w, i); // acquire: tasks' add
    if (v >= want) return;
    if ((await waitWordAsync(w, i, v, { deadlineNs: end })) === 'timed-out') throw new Error(`stress uintr: ${Atomics.load(w, i)} of ${want} tasks ready`);
  }
}

function set(w: Int32Array, i: number, v: number): void {
  Atomics.store(w, i, v); // publish: tasks poll or wait on it
  Atomics.notify(w, i);
}

/** Run the stress once in `lab` (or a fresh lab) and return its checks; a broken invariant is reported, not thrown. */
export async function runUintrStress(opts: UintrStressOptions = {}, lab?: Lab): Promise<UintrStressResult> {
  const R = opts.receivers ?? 3;
  const S = opts.senders ?? 3;
  const V = Math.min(64, opts.vectors ?? 4);
  const K = opts.targets ?? 6;
  const killN = opts.kill ?? Math.min(1, R - 1);
  // A run that kills every receiver checks no delivery at all: refuse it rather than pass vacuously.
  if (killN >= R) throw kerr('EINVAL', 'stress', 'kill', `kill (${killN}) must be below receivers (${R}): a survivor is what the delivery checks check`);
  const seed = opts.seed ?? 1;
  const rng = mulberry32(seed);
  const own = lab === undefined;
  const l = lab ?? (await Lab.boot({ cpus: 2, maxTasks: Math.max(16, 2 * (R + S)) }));
  const w = new Int32Array(new SharedArrayBuffer(L.stressWords(R) * 4));
  const sab = w.buffer as SharedArrayBuffer;
  try {
    const vectorsOf = Array.from({ length: R }, () => {
      const all = Array.from({ length: 64 }, (_, v) => v);
      for (let i = 63; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      return all.slice(0, V);
    });
    const rx: Task[] = [];
    for (let r = 0; r < R; r++) rx.push(await l.spawn(program('uintr-stress-rx'), { arg: { sab, r, vectors: vectorsOf[r], waitBoundUs: opts.waitBoundUs ?? 2_000_000 }, comm: `uintr-rx${r}` }));
    await awaitCount(w, L.READY, R);
    const tx: Task[] = [];
    for (let s = 0; s < S; s++) {
      const targets = Array.from({ length: Math.min(K, R * V) }, () => ({ r: 0, v: 0, fd: 0 }));
      const chosen = new Set<string>();
      for (let i = 0; i < targets.length; i++) {
        let r: number;
        let v: number;
        do {
          r = Math.floor(rng() * R);
          v = vectorsOf[r]![Math.floor(rng() * V)]!;
        } while (chosen.has(`${r}/${v}`));
        chosen.add(`${r}/${v}`);
        targets[i] = { r, v, fd: 3 + i };
      }
      const t = await l.spawn(program('uintr-stress-tx'), { arg: { sab, targets, seed: (seed * 7919 + s) >>> 0 }, comm: `uintr-tx${s}` });
      for (const tg of targets) {
        const fd = uintrOf(l).getfd(rx[tg.r]!.pid, Atomics.load(w, L.rxBase(tg.r) + L.RX_FD + tg.v), t.pid);
        if (fd !== tg.fd) throw new Error(`stress uintr: sender got fd ${fd}, expected ${tg.fd}`);
      }
      tx.push(t);
    }
    await awaitCount(w, L.READY, R + S);
    const durationMs = opts.durationMs ?? 1000;
    set(w, L.STORMING, 1);
    set(w, L.GO, 1);
    await new Promise((res) => setTimeout(res, durationMs / 2));
    const killed = new Set<number>();
    for (let r = 0; r < killN; r++) {
      await l.kill(rx[r]!.pid, 'SIGKILL');
      killed.add(r);
    }
    await new Promise((res) => setTimeout(res, durationMs / 2));
    set(w, L.STORMING, 0);
    set(w, L.STOP, 1);
    const txExits = await bounded(Promise.all(tx.map((t) => t.exited)), BOUND_MS, 'senders');
    set(w, L.STOP, 2);
    const rxExits = await bounded(Promise.all(rx.map((t) => t.exited)), BOUND_MS, 'receivers');
    return evaluate(w, { R, vectorsOf, killed, txExits, rxExits, tx });
  } finally {
    if (own) await l.shutdown();
  }
}

interface Outcome {
  readonly R: number;
  readonly vectorsOf: number[][];
  readonly killed: Set<number>;
  readonly txExits: ReadonlyArray<{ code: number } | { signal: string }>;
  readonly rxExits: ReadonlyArray<{ code: number } | { signal: string }>;
  readonly tx: Task[];
}

function evaluate(w: Int32Array, o: Outcome): UintrStressResult {
  let posts = 0;
  let deliveries = 0;
  let waitsWoken = 0;
  let maskRounds = 0;
  const lost: string[] = [];
  const extra: string[] = [];
  let maxDepth = 0;
  let masked = 0;
  let lostWake = 0;
  const badRx: string[] = [];
  for (let r = 0; r < o.R; r++) {
    const b = L.rxBase(r);
    for (const v of o.vectorsOf[r]!) posts += Atomics.load(w, b + L.RX_GEN + v);
    if (o.killed.has(r)) {
      const st = o.rxExits[r]!;
      if (!('signal' in st) || st.signal !== 'SIGKILL') badRx.push(`rx${r} ${JSON.stringify(st)}`);
      continue;
    }
    const st = o.rxExits[r]!;
    if (!('code' in st) || st.code !== 0) badRx.push(`rx${r} ${JSON.stringify(st)}`);
    for (const v of o.vectorsOf[r]!) {
      const gen = Atomics.load(w, b + L.RX_GEN + v);
      const seen = Atomics.load(w, b + L.RX_SEEN + v);
      const got = Atomics.load(w, b + L.RX_DELIVERED + v);
      deliveries += got;
      if (seen !== gen) lost.push(`rx${r} v${v}: last generation ${gen}, last delivery saw ${seen}`);
      if (got > gen) extra.push(`rx${r} v${v}: ${got} deliveries > ${gen} postings`);
    }
    maxDepth = Math.max(maxDepth, Atomics.load(w, b + L.RX_MAX_DEPTH));
    masked += Atomics.load(w, b + L.RX_MASKED_DELIVERIES);
    lostWake += Atomics.load(w, b + L.RX_LOST_WAKEUPS);
    waitsWoken += Atomics.load(w, b + L.RX_WAITS_WOKEN);
    maskRounds += Atomics.load(w, b + L.RX_MASK_ROUNDS);
  }
  const faulted = o.txExits.map((st, s) => ({ st, s })).filter(({ st }) => !('code' in st) || st.code !== 0);
  const checks: UintrStressCheck[] = [
    { name: 'every_posting_delivered_or_coalesced', ok: lost.length === 0, detail: lost.length === 0 ? `the last posting of every vector was delivered (${deliveries} deliveries for ${posts} postings: the rest coalesced)` : lost.slice(0, 5).join('; ') },
    { name: 'no_delivery_without_posting', ok: extra.length === 0, detail: extra.length === 0 ? 'deliveries ≤ postings for every vector' : extra.slice(0, 5).join('; ') },
    { name: 'no_handler_reentry', ok: maxDepth <= 1, detail: `max handler depth ${maxDepth}` },
    { name: 'nothing_delivered_while_masked', ok: masked === 0, detail: `${masked} deliveries while masked, over ${maskRounds} clui/stui rounds` },
    { name: 'no_lost_wakeup', ok: lostWake === 0, detail: `${lostWake} uintr_wait calls slept to their bound mid-storm; ${waitsWoken} were woken by a post` },
    { name: 'senders_never_fault', ok: faulted.length === 0, detail: faulted.length === 0 ? `${o.tx.length} senders exited 0, also after ${o.killed.size} ${o.killed.size === 1 ? 'receiver was' : 'receivers were'} killed` : faulted.map(({ st, s }) => `tx${s} ${JSON.stringify(st)}`).join('; ') },
    { name: 'receivers_end_as_expected', ok: badRx.length === 0, detail: badRx.length === 0 ? `${o.R - o.killed.size} receivers exited 0, ${o.killed.size} were SIGKILLed` : badRx.join('; ') },
  ];
  return { posts, deliveries, waitsWoken, maskRounds, killed: o.killed.size, checks };
}

/** Print a run as KTAP results (one per invariant) under `level`; true when all held. */
export function reportUintrStress(level: KtapLevel, opts: UintrStressOptions, r: UintrStressResult): boolean {
  level.diagnostic(`uintr stress: receivers=${opts.receivers ?? 3} senders=${opts.senders ?? 3} vectors=${opts.vectors ?? 4} targets=${opts.targets ?? 6} kill=${opts.kill ?? 1} seed=${opts.seed ?? 1} duration=${opts.durationMs ?? 1000}ms`);
  level.diagnostic(`postings ${r.posts}, deliveries ${r.deliveries}, uintr_wait woken ${r.waitsWoken}, clui/stui rounds ${r.maskRounds}, receivers killed ${r.killed}`);
  for (const c of r.checks) {
    level.diagnostic(c.detail);
    const res: KtapResult = c.ok ? { kind: 'pass' } : { kind: 'fail', reason: c.detail };
    level.result(c.name, res);
  }
  return r.checks.every((c) => c.ok);
}

/** Invariants a run reports (the KTAP plan of `tracelab stress uintr`). */
export const UINTR_STRESS_CHECKS = 7;

const scenario: Scenario = {
  name: 'uintr_stress_short',
  lab: { cpus: 2, maxTasks: 32 },
  timeoutS: 60,
  async run({ lab, check, log }) {
    const opts = { receivers: 3, senders: 3, durationMs: 500, seed: 0x5eed };
    const r = await runUintrStress(opts, lab);
    log(`postings ${r.posts}, deliveries ${r.deliveries}, waits woken ${r.waitsWoken}, seed ${opts.seed}`);
    for (const c of r.checks) check(c.ok, `${c.name}: ${c.detail}`);
  },
};

/** The `uintr` suite of `tracelab selftest`. */
export const uintrSuite: Suite = { name: 'uintr', scenarios: [scenario] };
