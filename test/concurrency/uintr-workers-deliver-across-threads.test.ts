// User interrupts between REAL worker threads on the real SAB code: the RFC selftest (spin and
// uintr_wait), high-to-low order with clui-then-stui across threads, a seeded storm with many
// senders (delivered or coalesced, never invented, no re-entry, no lost wake-up) and a ping-pong
// that races every post against a waiter entering uintr_wait. Workers load dist/test/fixtures/uintr-peer.js.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { UintrTable, unregisterHandler, type UintrFd } from '../../src/uintr/index.js';
import { mulberry32, randInt, testSeed, withSeed } from '../helpers/seeded-rng.js';
import { CTL_POSTED, CTL_SENT, type PeerData, type PeerMessage } from '../fixtures/uintr-protocol.js';

const FIXTURE = new URL('../../dist/test/fixtures/uintr-peer.js', import.meta.url);
const MSG_BOUND_MS = 30_000;

/** A worker running one fixture role, with its messages queued for `next()`. */
class Peer {
  readonly worker: Worker;
  readonly #queue: PeerMessage[] = [];
  #waiter: ((m: PeerMessage) => void) | undefined;
  #failure: Error | undefined;
  #fail: ((e: Error) => void) | undefined;

  constructor(data: PeerData) {
    this.worker = new Worker(FIXTURE, { workerData: data });
    this.worker.on('message', (m: PeerMessage) => {
      if (m.type === 'error') return this.#reject(new Error(`worker ${data.role}: ${m.message}`));
      if (this.#waiter !== undefined) {
        const w = this.#waiter;
        this.#waiter = undefined;
        w(m);
      } else this.#queue.push(m);
    });
    this.worker.on('error', (e) => this.#reject(e));
    this.worker.on('exit', (code) => { if (code !== 0) this.#reject(new Error(`worker ${data.role} exited ${code}`)); });
  }

  #reject(e: Error): void {
    this.#failure ??= e;
    this.#fail?.(e);
  }

  /** The next message of `type` (bounded: rejects after MSG_BOUND_MS). */
  next<T extends PeerMessage['type']>(type: T): Promise<Extract<PeerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.#failure !== undefined) return reject(this.#failure);
      const timer = setTimeout(() => reject(new Error(`no '${type}' message within ${MSG_BOUND_MS} ms`)), MSG_BOUND_MS);
      const done = (m: PeerMessage): void => {
        clearTimeout(timer);
        this.#fail = undefined;
        if (m.type !== type) reject(new Error(`expected '${type}', got '${m.type}'`));
        else resolve(m as Extract<PeerMessage, { type: T }>);
      };
      this.#fail = (e) => { clearTimeout(timer); reject(e); };
      const queued = this.#queue.shift();
      if (queued !== undefined) done(queued);
      else this.#waiter = done;
    });
  }
}

let peers: Peer[] = [];
function spawn(data: PeerData): Peer {
  const p = new Peer(data);
  peers.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(peers.map((p) => p.worker.terminate()));
  peers = [];
});

function ctlSab(): SharedArrayBuffer {
  return new SharedArrayBuffer((CTL_POSTED + 4 * 64) * 4);
}

describe('uintr across worker threads', () => {
  for (const mode of ['spin', 'wait'] as const) {
    it(`passes the RFC selftest with a ${mode === 'spin' ? 'spinning (polling)' : 'uintr_wait-blocked'} receiver`, async () => {
      const table = UintrTable.create({ receivers: 2, senders: 2 });
      const ctl = ctlSab();
      const rx = spawn({ role: 'rfc-receiver', table: table.handle, ctl, mode });
      const { fds } = await rx.next('fds');
      const tx = spawn({ role: 'sender', table: table.handle, ctl, fds, order: [0], awaitWaiting: mode === 'wait' });
      await tx.next('result');
      const { result } = await rx.next('result');
      expect(result['received']).toBe(1);
      expect(result['vector']).toBe(0);
      if (mode === 'wait') {
        expect(result['waitResult']).toBe('EINTR');
        expect(result['sleptToBound'], 'woken by the post, not by the 10 s bound').toBe(false);
      }
    });
  }

  it('delivers posts made while masked high to low at stui, once per vector', async () => {
    const seed = testSeed(0xc0ffee);
    const rng = mulberry32(seed);
    const vectors = [...new Set(Array.from({ length: 12 }, () => randInt(rng, 0, 63)))];
    const order = Array.from({ length: 40 }, () => randInt(rng, 0, vectors.length - 1));
    const table = UintrTable.create({ receivers: 1, senders: 1 });
    const ctl = ctlSab();
    const rx = spawn({ role: 'order-receiver', table: table.handle, ctl, vectors });
    const { fds } = await rx.next('fds');
    const tx = spawn({ role: 'sender', table: table.handle, ctl, fds, order, awaitWaiting: false });
    await tx.next('result');
    const c = new Int32Array(ctl);
    Atomics.store(c, CTL_SENT, 1); // publish: every post happened before the sender's result message
    Atomics.notify(c, CTL_SENT);
    const { result } = await rx.next('result');
    const expected = [...new Set(order.map((k) => vectors[k]!))].sort((a, b) => b - a);
    expect(result['r'], withSeed(seed, 'receiver parked on the ctl word')).toBe('ok');
    expect(result['pendingBefore'], withSeed(seed, 'pending while masked')).toEqual(expected);
    expect(result['seen'], withSeed(seed, 'delivery order')).toEqual(expected);
  });

  it('in a storm of many senders, delivers every posted vector at least once and never more than posted, without re-entry or lost wake-up', async () => {
    const seed = testSeed(0x5707);
    const rng = mulberry32(seed);
    const RECEIVERS = 2;
    const SENDERS = 3;
    const STOP = 63;
    const table = UintrTable.create({ receivers: RECEIVERS, senders: SENDERS + 1 });
    const ctl = ctlSab();
    const vectorsOf: number[][] = [];
    const rxs: Peer[] = [];
    for (let r = 0; r < RECEIVERS; r++) {
      const vectors = [...new Set(Array.from({ length: 6 }, () => randInt(rng, 0, 62)))];
      vectorsOf.push(vectors);
      rxs.push(spawn({ role: 'storm-receiver', table: table.handle, ctl, vectors, stop: STOP, seed: seed + r, slot: r }));
    }
    const fdsOf: UintrFd[][] = [];
    for (const p of rxs) fdsOf.push((await p.next('fds')).fds);
    const dataFds: UintrFd[] = [];
    const slots: number[] = [];
    fdsOf.forEach((fds, r) => fds.filter((fd) => fd.vector !== STOP).forEach((fd) => { dataFds.push(fd); slots.push(r); }));
    const txs: Peer[] = [];
    for (let s = 0; s < SENDERS; s++) {
      txs.push(spawn({ role: 'storm-sender', table: table.handle, ctl, fds: dataFds, slots, count: 20_000 + randInt(rng, 0, 10_000), seed: seed * 7 + s }));
    }
    await Promise.all(txs.map(async (p) => { await p.next('connected'); await p.next('result'); }));
    // Every data post happened before its sender's result message; now stop each receiver with its top vector.
    const stopper = table.registerSender();
    for (const fds of fdsOf) stopper.send(stopper.connect(fds.find((fd) => fd.vector === STOP)!));
    const results = await Promise.all(rxs.map((p) => p.next('result')));
    const c = new Int32Array(ctl);
    for (const { result } of results) {
      const r = result['slot'] as number;
      const delivered = result['delivered'] as number[];
      const ctx = `receiver ${r}: ${JSON.stringify(result)}`;
      expect(result['stopped'], withSeed(seed, ctx)).toBe(true);
      expect(result['maxDepth'], withSeed(seed, `re-entry; ${ctx}`)).toBe(1);
      expect(result['timeouts'], withSeed(seed, `lost wake-up; ${ctx}`)).toBe(0);
      expect(delivered[STOP], withSeed(seed, ctx)).toBe(1);
      for (let vec = 0; vec < 63; vec++) {
        const posted = Atomics.load(c, CTL_POSTED + r * 64 + vec);
        if (posted > 0) expect(delivered[vec], withSeed(seed, `vector ${vec} posted ${posted}; ${ctx}`)).toBeGreaterThanOrEqual(1);
        expect(delivered[vec], withSeed(seed, `vector ${vec} posted ${posted}; ${ctx}`)).toBeLessThanOrEqual(posted);
      }
    }
  });

  it('never loses a wake-up when every post races the peer entering uintr_wait (ping-pong)', async () => {
    const seed = testSeed(0x9a9a);
    const ROUNDS = 20_000;
    const table = UintrTable.create({ receivers: 2, senders: 2 });
    const ctl = ctlSab();
    const a = spawn({ role: 'pingpong', table: table.handle, ctl, first: true, rounds: ROUNDS, seed });
    const b = spawn({ role: 'pingpong', table: table.handle, ctl, first: false, rounds: ROUNDS, seed: seed + 1 });
    const [fa, fb] = await Promise.all([a.next('fds'), b.next('fds')]);
    a.worker.postMessage({ type: 'peer', fd: fb.fds[0] });
    b.worker.postMessage({ type: 'peer', fd: fa.fds[0] });
    const [ra, rb] = await Promise.all([a.next('result'), b.next('result')]);
    for (const r of [ra.result, rb.result]) {
      expect(r['timeouts'], withSeed(seed, JSON.stringify(r))).toBe(0);
      expect(r['rounds'], withSeed(seed, JSON.stringify(r))).toBe(ROUNDS);
      expect(r['waits'] as number).toBeGreaterThan(0);
    }
  });

  it('keeps senders silent and fault-free when a receiver worker is killed mid-storm', async () => {
    const seed = testSeed(0xdead);
    const table = UintrTable.create({ receivers: 1, senders: 2 });
    const ctl = ctlSab();
    const rx = spawn({ role: 'storm-receiver', table: table.handle, ctl, vectors: [1, 2, 3], stop: 63, seed, slot: 0 });
    const { fds } = await rx.next('fds');
    const data = fds.filter((fd) => fd.vector !== 63);
    const tx = spawn({ role: 'storm-sender', table: table.handle, ctl, fds: data, slots: data.map(() => 0), count: 200_000, seed });
    await tx.next('connected'); // the storm is under way
    await rx.worker.terminate();
    // The task-exit path (what the Lab runs for a killed task): the UPID dies, senders are not told.
    expect(unregisterHandler(table.views, fds[0]!.upid, 0)).toBe(0);
    const { result } = await tx.next('result');
    expect(result['sent']).toBe(200_000);
    expect(table.views.i32[0]).not.toBe(0); // the table itself is untouched (magic word)
  });
});
