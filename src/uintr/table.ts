// The standalone user-interrupt API for any worker-thread program, no Lab needed: a UintrTable in one
// SAB, receivers with a handler, fds, senders with a UITT (the RFC's uintr syscalls + instructions).
// Runs in any thread; a UintrReceiver / UintrSender object belongs to the thread that registered it.
// Contract: errors are KernelError (syscalls) or UintrFault (senduipi); hot paths allocate nothing.
import { kerr, type ErrnoName } from '../errno.js';
import { allocateUintr, attachUintr, type UintrViews } from './layout.js';
import type { UintrFd, UintrHandler, UintrSignal, UintrWaitResult } from './fd.js';
import {
  registerHandler, unregisterHandler, createFd, closeFd, clui, stui, testui, poll, pendingVectors,
  hasPending, isWaiting, NO_UPID,
} from './receiver.js';
import { claimSender, releaseSender, registerSender, unregisterSender, senduipi, connections } from './sender.js';
import { uintrWait, uintrWaitAsync, cancelUintrWait } from './wait.js';
import { clockNs } from '../shm/clock.js';
import { type SharedWasmMemory, isSharedMemory } from '../shm/wasm.js';

/** Sizes of a table. */
export interface UintrTableOptions {
  /** Receivers (UPID entries), 1..4096. */
  readonly receivers: number;
  /** Senders (4 KiB UITTs), 1..4096. */
  readonly senders: number;
}

/** What to post to another worker so it can `UintrTable.attach()` the same table. Structured-clonable. */
export interface UintrTableHandle extends UintrTableOptions {
  readonly kind: 'uintr_table';
  readonly sab: SharedArrayBuffer;
  /** The shared WebAssembly memory whose buffer `sab` is: with it, an attachment sends and polls in WebAssembly. */
  readonly memory?: SharedWasmMemory;
}

/** senduipi's synchronous fault: SIGILL without a UITT, SIGSEGV for an invalid index. */
export class UintrFault extends Error {
  readonly signal: UintrSignal;
  readonly index: number;
  constructor(signal: UintrSignal, index: number) {
    super(`senduipi ${signal}: ${signal === 'SIGILL' ? 'this sender has no UITT (register a sender first)' : `uipi_index ${index} is not a valid UITT entry (0..255, registered)`}`);
    this.name = 'UintrFault';
    this.signal = signal;
    this.index = index;
  }
}

function ok<T>(r: T | ErrnoName, syscall: string): T {
  if (typeof r === 'string') throw kerr(r as ErrnoName, syscall);
  return r;
}

// The deadline of a timeoutMs (docs/uintr.md: EINVAL for a bad deadline).
function deadlineOf(timeoutMs: number | undefined): number | undefined {
  if (timeoutMs === undefined || timeoutMs === Infinity) return undefined;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) throw kerr('EINVAL', 'uintr_wait', 'timeoutMs', `timeoutMs must be a number ≥ 0 (or Infinity for none), got ${String(timeoutMs)}`);
  return clockNs() + timeoutMs * 1e6;
}

function waited(r: UintrWaitResult | 'EINVAL' | 'EOPNOTSUPP'): UintrWaitResult {
  if (r === 'EINVAL' || r === 'EOPNOTSUPP') throw kerr(r, 'uintr_wait');
  return r;
}

/**
 * A table of user-interrupt receivers (UPIDs) and senders (UITTs) in one SharedArrayBuffer: the fast
 * alternative to `postMessage` notifications between worker threads. A sender's `send()` is a few
 * Atomics on shared memory; a running receiver takes it at its next `poll()`, a receiver blocked in
 * `wait()` is woken at once. Pending vectors are delivered high to low, one handler call each;
 * repeated sends of one vector before delivery coalesce into one.
 *
 * @example
 * // main.ts
 * const table = UintrTable.create({ receivers: 4, senders: 4 });
 * new Worker(new URL('./rx.js', import.meta.url), { workerData: table.handle });
 * // rx.js (a worker)
 * const rx = UintrTable.attach(workerData).registerReceiver((vector) => { seen.push(vector); });
 * const fd = rx.createFd(7);          // post `fd` to the sender worker
 * rx.stui();                          // UIF starts 0: unmask before anything is delivered
 * rx.wait({ timeoutMs: 1000 });       // 'EINTR' once the handler ran
 * // tx.js (another worker)
 * const tx = UintrTable.attach(workerData.table).registerSender();
 * const index = tx.connect(workerData.fd);
 * tx.send(index);
 */
export class UintrTable {
  /** The shared views (for ctx-level code that calls the core functions directly). @internal */
  readonly views: UintrViews;
  /** Post this to workers; `UintrTable.attach(handle)` there. */
  readonly handle: UintrTableHandle;

  private constructor(views: UintrViews) {
    this.views = views;
    const { receivers, senders, memory } = views;
    this.handle = { kind: 'uintr_table', sab: views.views.sab, receivers, senders, ...(memory === undefined ? {} : { memory }) };
  }

  /** Allocate a new, empty table. Throws RangeError on sizes outside 1..4096. */
  static create(opts: UintrTableOptions): UintrTable {
    return new UintrTable(allocateUintr(opts.receivers, opts.senders));
  }

  /** Attach to a table created in another thread. Throws LayoutError/RangeError on a foreign SAB. */
  static attach(handle: UintrTableHandle): UintrTable {
    return new UintrTable(attachUintr(handle.sab, handle.receivers, handle.senders, isSharedMemory(handle.memory) ? handle.memory : undefined));
  }

  /** uintr_register_handler: make the calling thread a receiver. EBUSY/EINVAL/ENOMEM as KernelError. */
  registerReceiver(handler: UintrHandler, flags = 0): UintrReceiver {
    if (typeof handler !== 'function') throw kerr('EFAULT', 'uintr_register_handler', undefined, 'handler must be a function');
    const upid = ok(registerHandler(this.views, flags, NO_UPID), 'uintr_register_handler');
    return new UintrReceiver(this.views, upid, handler);
  }

  /** Claim a sender slot for the calling thread (its UITT appears at the first connect()). ENOMEM when full. */
  registerSender(): UintrSender {
    return new UintrSender(this.views, ok(claimSender(this.views), 'uintr_register_sender'));
  }

  /** True while receiver `upid` is blocked in wait(). Any thread (stale-ok: diagnostics). */
  isWaiting(upid: number): boolean {
    return isWaiting(this.views, upid);
  }

  /** Cancel every present and future wait of receiver `upid` (shutdown). Any thread. */
  cancelWaits(upid: number): void {
    cancelUintrWait(this.views, upid);
  }
}

/** Options of `UintrReceiver.wait`. */
export interface UintrReceiverWaitOptions {
  /** Give up after this long: a number ≥ 0 (Infinity: no timeout); EINVAL otherwise. @default no timeout */
  readonly timeoutMs?: number;
  /** Must be 0. @default 0 */
  readonly flags?: number;
}

/** A registered receiver: one per thread, used only by that thread. */
export class UintrReceiver {
  readonly #v: UintrViews;
  readonly #handler: UintrHandler;
  #upid: number;

  /** @internal use UintrTable.registerReceiver */
  constructor(v: UintrViews, upid: number, handler: UintrHandler) {
    this.#v = v;
    this.#upid = upid;
    this.#handler = handler;
  }

  /** This receiver's UPID index (NO_UPID after unregister). */
  get upid(): number {
    return this.#upid;
  }

  /** uintr_create_fd(vector, flags): EINVAL, ENOSPC (vector ≥ 64), EBUSY (vector taken) as KernelError. */
  createFd(vector: number, flags = 0): UintrFd {
    return ok(createFd(this.#v, this.#upid, vector, flags), 'uintr_create_fd');
  }

  /** close(fd): frees the vector; EBADF when already closed. */
  closeFd(fd: UintrFd): void {
    ok(closeFd(this.#v, fd), 'close');
  }

  /** Unmask (set UIF) and take anything pending at once. Returns the deliveries made. */
  stui(): number {
    if (this.#upid < 0) return 0;
    stui(this.#v, this.#upid);
    return poll(this.#v, this.#upid, this.#handler);
  }

  /** Mask (clear UIF): sends stay pending until stui(). */
  clui(): void {
    if (this.#upid >= 0) clui(this.#v, this.#upid);
  }

  /** The user interrupt flag. */
  testui(): boolean {
    return this.#upid >= 0 && testui(this.#v, this.#upid);
  }

  /** An interrupt point: deliver pending vectors (high to low) if unmasked. Returns the deliveries made. */
  poll(): number {
    return this.#upid < 0 ? 0 : poll(this.#v, this.#upid, this.#handler);
  }

  /** Vectors posted and not yet delivered, highest first. */
  pending(): number[] {
    return this.#upid < 0 ? [] : pendingVectors(this.#v, this.#upid);
  }

  /** True when anything is posted and not yet delivered. */
  hasPending(): boolean {
    return this.#upid >= 0 && hasPending(this.#v, this.#upid);
  }

  /**
   * uintr_wait: block this worker until a send arrives ('EINTR', after the handler ran), the timeout
   * passes ('timed-out') or the table cancels it ('cancelled'). EINVAL/EOPNOTSUPP as KernelError.
   */
  wait(opts: UintrReceiverWaitOptions = {}): UintrWaitResult {
    const deadlineNs = deadlineOf(opts.timeoutMs);
    const o = deadlineNs === undefined ? { flags: opts.flags ?? 0 } : { deadlineNs, flags: opts.flags ?? 0 };
    return waited(uintrWait(this.#v, this.#upid, this.#handler, o));
  }

  /** The main-thread form of wait(): resolves instead of blocking. Rejects, never throws. */
  async waitAsync(opts: UintrReceiverWaitOptions = {}): Promise<UintrWaitResult> {
    const deadlineNs = deadlineOf(opts.timeoutMs);
    const o = deadlineNs === undefined ? { flags: opts.flags ?? 0 } : { deadlineNs, flags: opts.flags ?? 0 };
    return waited(await uintrWaitAsync(this.#v, this.#upid, this.#handler, o));
  }

  /** uintr_unregister_handler: senders' posts stop being delivered, silently. EINVAL when not registered. */
  unregister(flags = 0): void {
    ok(unregisterHandler(this.#v, this.#upid, flags), 'uintr_unregister_handler');
    this.#upid = NO_UPID;
  }
}

/** A sender slot with its UITT: one per thread, used only by that thread. */
export class UintrSender {
  readonly #v: UintrViews;
  #slot: number;

  /** @internal use UintrTable.registerSender */
  constructor(v: UintrViews, slot: number) {
    this.#v = v;
    this.#slot = slot;
  }

  /** This sender's slot index. */
  get slot(): number {
    return this.#slot;
  }

  /** uintr_register_sender(fd, flags) → uipi_index. EINVAL, EOPNOTSUPP, EBADF, ESHUTDOWN, EISCONN, ENOSPC as KernelError. */
  connect(fd: UintrFd, flags = 0): number {
    return ok(registerSender(this.#v, this.#slot, fd, flags), 'uintr_register_sender');
  }

  /** uintr_unregister_sender(index, flags). EINVAL when not connected. */
  disconnect(index: number, flags = 0): void {
    ok(unregisterSender(this.#v, this.#slot, index, flags), 'uintr_unregister_sender');
  }

  /** SENDUIPI <index>. No delivery feedback; throws UintrFault (SIGILL / SIGSEGV) on a bad UITT or index. */
  send(index: number): void {
    const r = senduipi(this.#v, this.#slot, index);
    if (r !== 0) throw new UintrFault(r, index);
  }

  /** Valid entries in this sender's UITT. */
  connections(): number {
    return connections(this.#v, this.#slot);
  }

  /** The sender exits: every connection dropped, the UITT freed. */
  release(): void {
    if (this.#slot < 0) return;
    releaseSender(this.#v, this.#slot);
    this.#slot = -1;
  }
}
