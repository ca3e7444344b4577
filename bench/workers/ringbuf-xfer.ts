// Worker roles of bench/ringbuf.bench.ts's cross-worker trials: a writer and a reader for each
// path (our RingBuffer, ringbuf.js, postMessage per event or per batch). Each parks at the `go`
// barrier, runs its n events, and posts one message (0 from writers, ns per event from readers).
// Runs in a bench worker thread; the bench barrier is a bare Atomics.wait, not src/shm/wait.ts.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { RingBuffer as RingbufJs } from 'ringbuf.js';
import { RingBuffer, type RingHandle } from '../../src/ringbuf/index.js';
import { clockNs } from '../../src/shm/clock.js';

/** What the main thread passes in workerData: one side of a writer→reader pair. */
export type Role =
  | { role: 'ring-writer' | 'ring-reader'; handle: RingHandle; go: SharedArrayBuffer; n: number; clock: boolean }
  | { role: 'rbjs-writer' | 'rbjs-reader'; sab: SharedArrayBuffer; go: SharedArrayBuffer; n: number; bytes: number }
  | { role: 'pm-writer' | 'pm-reader'; port: MessagePort; go: SharedArrayBuffer; n: number; batch: number };

/** Tell the main thread we are ready, park at the go barrier, and return the start time. */
function waitGo(go: Int32Array): number {
  parentPort!.postMessage('ready');
  Atomics.wait(go, 0, 0); // bench-only barrier (src/shm/wait.ts is for library code); the main thread releases it
  return clockNs();
}

/** Run one role to completion and post its one result message. */
function runWorker(d: Role): void {
  const go = new Int32Array(d.go);
  if (d.role === 'ring-writer') {
    const ring = RingBuffer.attach(d.handle, { ownerCpu: 0 });
    waitGo(go);
    for (let i = 0; i < d.n;) {
      const r = d.clock ? ring.reserve(0, 16, 1) : ring.reserve(0, 16, 1, i);
      if (r === null) continue; // discard mode: full, the reader catches up
      r.setU32(0, i);
      r.setU32(4, i);
      r.setU32(8, i);
      r.setU32(12, i);
      ring.commit(r);
      i++;
    }
    parentPort!.postMessage(0);
  } else if (d.role === 'ring-reader') {
    const ring = RingBuffer.attach(d.handle);
    const t0 = waitGo(go);
    let sum = 0;
    for (let got = 0; got < d.n;) {
      const v = ring.consumeView(0);
      if (v === null || v.kind !== 'event') continue;
      sum += v.payload[0]!;
      got++;
    }
    parentPort!.postMessage((clockNs() - t0) / d.n + sum * 0);
  } else if (d.role === 'rbjs-writer') {
    // Same work as a RingBuffer record: our 8-byte header (length | type << 16, i32 time delta) + 16 B payload.
    const rb = new RingbufJs(d.sab, Uint8Array);
    // (bytes 16: the unframed variant, payload only.)
    const B = d.bytes;
    const ev = new Uint8Array(B);
    const dv = new DataView(ev.buffer);
    waitGo(go);
    for (let i = 0; i < d.n;) {
      if (rb.available_write() < B) continue;
      dv.setUint32(0, 16 | (1 << 16), true);
      dv.setInt32(4, i, true);
      dv.setUint32(8, i, true);
      dv.setUint32(12, i, true);
      if (B > 16) {
        dv.setUint32(16, i, true);
        dv.setUint32(20, i, true);
      }
      rb.push(ev, B);
      i++;
    }
    parentPort!.postMessage(0);
  } else if (d.role === 'rbjs-reader') {
    const rb = new RingbufJs(d.sab, Uint8Array);
    const B = d.bytes;
    const ev = new Uint8Array(B);
    const t0 = waitGo(go);
    let sum = 0;
    for (let got = 0; got < d.n;) {
      if (rb.available_read() < B) continue;
      rb.pop(ev, B);
      sum += ev[8]!;
      got++;
    }
    parentPort!.postMessage((clockNs() - t0) / d.n + sum * 0);
  } else if (d.role === 'pm-writer') {
    waitGo(go);
    if (d.batch === 1) {
      for (let i = 0; i < d.n; i++) {
        const ev = new Uint8Array(16);
        new DataView(ev.buffer).setUint32(0, i, true);
        d.port.postMessage(ev);
      }
    } else {
      for (let i = 0; i < d.n; i += d.batch) {
        const buf = new Uint8Array(16 * d.batch);
        new DataView(buf.buffer).setUint32(0, i, true);
        d.port.postMessage(buf);
      }
    }
    parentPort!.postMessage(0);
  } else if (d.role === 'pm-reader') {
    const t0 = waitGo(go);
    let got = 0;
    d.port.on('message', (m: Uint8Array) => {
      got += m.byteLength / 16;
      if (got >= d.n) {
        parentPort!.postMessage((clockNs() - t0) / d.n);
        d.port.close();
      }
    });
  }
}

runWorker(workerData as Role);
