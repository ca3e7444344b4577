// Worker of `tracelab ipc bench`: one side of a ping-pong over one IPC path. The ping side times every
// round trip with the shared clock and posts its samples back; the pong side echoes. Every loop is
// bounded (a stuck peer ends the run with an error instead of hanging it).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { once } from 'node:events';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { UintrTable, type UintrFd, type UintrReceiver, type UintrSender, type UintrTableHandle } from '../uintr/index.js';
import { clockNs } from '../shm/clock.js';
import { waitWord } from '../shm/wait.js';

/** Paths measured between two workers. */
export type WorkerPath = 'uintr-poll' | 'uintr-wait' | 'spin' | 'spin-2line' | 'wait-notify' | 'msgport' | 'uds' | 'pipe';

/** Paths that a pair can alternate (synchronous shared-memory loops). */
export type AlternatingPath = 'uintr-poll' | 'uintr-wait' | 'spin' | 'spin-2line' | 'wait-notify';

/** workerData of one side. */
export interface IpcWorkerData {
  readonly path: WorkerPath;
  /**
   * A baseline and a candidate to alternate between the same two workers, `block` rounds each in
   * turn, so the VM's drift and the pair's placement hit both alike; when set, `path` is ignored.
   */
  readonly alternate?: readonly AlternatingPath[];
  readonly block?: number;
  readonly ping: boolean;
  readonly rounds: number;
  readonly warmup: number;
  readonly words: SharedArrayBuffer;
  readonly table: UintrTableHandle;
  readonly port?: MessagePort;
  /** uds: the socket path; pipe: [ping→pong FIFO, pong→ping FIFO]. */
  readonly paths?: readonly string[];
}

/** Messages to the main thread. */
export type IpcWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'fd'; readonly fd: UintrFd }
  | { readonly type: 'samples'; readonly samples: Float64Array }
  | { readonly type: 'alternated'; readonly samples: readonly Float64Array[] };

const BOUND_NS = 30e9;
const out = parentPort!;
const d = workerData as IpcWorkerData;

function bounded(end: number, k: number): void {
  if ((k & 1023) === 0 && clockNs() > end) throw new Error(`ipc bench ${d.path}: peer did not answer within ${BOUND_NS / 1e9} s`);
}

/**
 * The shared-memory paths (`alternate`: one, or a baseline and candidates, in blocks): synchronous
 * loops, timed on the ping side.
 * Words [0] (to pong) and [1] (to ping) are the raw paths' sequence words, in one cache line;
 * 'spin-2line' uses words [32] and [64] instead, a line per direction (128 B apart, past the
 * adjacent-line prefetcher's pair), the shape of two doorbells. For uintr each side is a receiver
 * (vector 1) and a sender to the other.
 */
async function alternated(paths: readonly AlternatingPath[], block: number): Promise<void> {
  const samples = paths.map(() => new Float64Array(d.rounds));
  const w = new Int32Array(d.words);
  const turns = new Int32Array(65); // rounds this side has seen, per word it waits on
  let end = 0; // the liveness bound of the current block: a stuck peer ends the run, a long run does not
  let got = 0;
  let rx: UintrReceiver | undefined;
  let tx: UintrSender | undefined;
  let index = -1;
  if (paths.includes('uintr-poll') || paths.includes('uintr-wait')) {
    const table = UintrTable.attach(d.table);
    rx = table.registerReceiver(() => {
      got++;
    });
    out.postMessage({ type: 'fd', fd: rx.createFd(1) } satisfies IpcWorkerMessage);
    const [msg] = (await once(out, 'message')) as [{ type: 'peer'; fd: UintrFd }];
    tx = table.registerSender();
    index = tx.connect(msg.fd);
    rx.stui();
  }
  // Rounds [from, to) of one path; each path has its own loop, so its call sites stay monomorphic.
  const run = (path: AlternatingPath, into: Float64Array | undefined, from: number, to: number): void => {
    const ping = d.ping;
    end = clockNs() + BOUND_NS;
    if (path === 'spin' || path === 'spin-2line' || path === 'wait-notify') {
      const blocking = path === 'wait-notify';
      const [toPong, toPing] = path === 'spin-2line' ? [32, 64] : [0, 1];
      const mine = ping ? toPing : toPong;
      const theirs = ping ? toPong : toPing;
      const awaitTurn = (): void => {
        const expect = ++turns[mine]!;
        for (let k = 1; Atomics.load(w, mine) !== expect; k++) { // acquire: the peer's add
          if (blocking) waitWord(w, mine, expect - 1, { deadlineNs: end });
          bounded(end, k);
        }
      };
      const give = (): void => {
        Atomics.add(w, theirs, 1); // publish: the peer waits on this sequence word
        if (blocking) Atomics.notify(w, theirs);
      };
      for (let i = from; i < to; i++) {
        const t0 = ping ? clockNs() : 0;
        if (ping) give();
        awaitTurn();
        if (!ping) give();
        else if (into !== undefined) into[i] = clockNs() - t0;
      }
      return;
    }
    const blocking = path === 'uintr-wait';
    const awaitIrq = (): void => {
      for (let k = 1; got === 0; k++) {
        if (blocking) rx!.wait({ timeoutMs: BOUND_NS / 1e6 });
        else rx!.poll();
        bounded(end, k);
      }
      got = 0;
    };
    for (let i = from; i < to; i++) {
      const t0 = ping ? clockNs() : 0;
      if (ping) tx!.send(index);
      awaitIrq();
      if (!ping) tx!.send(index);
      else if (into !== undefined) into[i] = clockNs() - t0;
    }
  };
  out.postMessage({ type: 'ready' });
  for (const path of paths) run(path, undefined, 0, d.warmup);
  for (let done = 0; done < d.rounds; done += block) {
    const to = Math.min(d.rounds, done + block);
    paths.forEach((path, p) => run(path, samples[p], done, to));
  }
  tx?.release();
  rx?.unregister();
  if (d.ping) out.postMessage({ type: 'alternated', samples } satisfies IpcWorkerMessage, samples.map((x) => x.buffer));
}

async function run(): Promise<void> {
  if (d.alternate !== undefined) return alternated(d.alternate, d.block ?? d.rounds);
  const samples = new Float64Array(d.rounds);
  const total = d.rounds + d.warmup;
  // A synchronous step is not awaited: `await` on every round would add a microtask turn to the
  // shared-memory paths (spin, uintr, wait/notify, pipe) that their ping-pong does not have.
  const time = async (step: () => void | Promise<void>): Promise<void> => {
    for (let i = 0; i < total; i++) {
      const t0 = clockNs();
      const pending = step();
      if (pending !== undefined) await pending;
      if (i >= d.warmup) samples[i - d.warmup] = clockNs() - t0;
    }
  };
  const done = (): void => out.postMessage({ type: 'samples', samples } satisfies IpcWorkerMessage, [samples.buffer]);
  switch (d.path) {
    case 'msgport': {
      const port = d.port!;
      if (!d.ping) {
        let n = 0;
        port.on('message', () => {
          port.postMessage(0);
          if (++n === total) port.close();
        });
        out.postMessage({ type: 'ready' });
        return;
      }
      out.postMessage({ type: 'ready' });
      await time(async () => {
        port.postMessage(0);
        await once(port, 'message');
      });
      port.close();
      return done();
    }
    case 'uds': {
      const path = d.paths![0]!;
      if (!d.ping) {
        const server = createServer((s: Socket) => {
          s.setNoDelay(true);
          s.on('data', (b) => s.write(b));
          s.on('end', () => server.close());
        });
        await new Promise<void>((res) => server.listen(path, res));
        out.postMessage({ type: 'ready' });
        return;
      }
      const s = connect(path);
      s.setNoDelay(true);
      await once(s, 'connect');
      out.postMessage({ type: 'ready' });
      const one = Buffer.from([1]);
      await time(async () => {
        s.write(one);
        await once(s, 'data'); // 1 byte each way: one 'data' per round
      });
      s.end();
      return done();
    }
    case 'pipe': {
      // Blocking read/write on two FIFOs (opened O_RDWR so open() does not wait for the peer).
      const [toPong, toPing] = d.paths!;
      const rd = openSync(d.ping ? toPing! : toPong!, 'r+');
      const wr = openSync(d.ping ? toPong! : toPing!, 'r+');
      const b = Buffer.alloc(1);
      out.postMessage({ type: 'ready' });
      if (d.ping) {
        await time(() => {
          writeSync(wr, b);
          readSync(rd, b);
        });
      } else {
        for (let i = 0; i < total; i++) {
          readSync(rd, b);
          writeSync(wr, b);
        }
      }
      closeSync(rd);
      closeSync(wr);
      if (d.ping) done();
      return;
    }
    default:
      throw new Error(`ipc bench worker: unknown path ${String((d as { path: unknown }).path)}`);
  }
}

void run();
