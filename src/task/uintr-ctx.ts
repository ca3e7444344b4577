// The uintr syscalls and instructions of a user task's ctx (RFC v1 man pages: uintr_register_handler,
// uintr_unregister_handler, uintr_create_fd, uintr_register_sender, uintr_unregister_sender,
// uintr_wait; SENDUIPI, CLUI, STUI, TESTUI, UIRET), and delivery at the task's interrupt points.
// Runs in the task's own worker. The fd table and UPID/UITT ownership live in the control plane
// (RPC, lifecycle only); senduipi, masking, delivery and uintr_wait touch shared memory only.
import { kerr } from '../errno.js';
import {
  NO_UPID, NO_SENDER, poll, clui, stui, testui, senduipi, uintrWaitTask, deschedule, resume,
  type UintrHandler, type UintrSignal, type UintrTaskSleep, type UintrViews,
} from '../uintr/index.js';
import type { UintrRpc } from '../lab/protocol.js';

/** What the task context lends the uintr code. */
export interface UintrCtxHooks {
  /** The lab's table, attached on first use; undefined when the lab runs with `uintr: false`. */
  views(): UintrViews | undefined;
  /** A control-plane syscall (throws KernelError). */
  rpc(req: UintrRpc): unknown;
  /** Raise a synchronous fault signal in this task and take it now (unhandled: the task dies by it). */
  raise(sig: UintrSignal): void;
  /** Run a blocking section (STATE = BLOCKED, SN handling, delivery on return). */
  block<T>(fn: () => T): T;
  /** The task's waits were cancelled (SIGKILL, shutdown): unwind. */
  cancelled(): never;
  /** The CPU the task runs on now. */
  cpu(): number;
  /** The process table (Int32 view) that `sleep.index` points into. */
  readonly tasks: Int32Array;
  /** Where uintr_wait sleeps: the task's WAKE word and cancel bits, and its pending-signal test. */
  readonly sleep: UintrTaskSleep;
  /** Deliver pending signals now (their handlers run); returns how many handlers ran. */
  takeSignals(): number;
}

/** How ctx.uintr_wait returned: interrupted after the handler ran (the man page's -1/EINTR), or timed out. */
export type TaskUintrWaitResult = 'EINTR' | 'timed-out';

/** One task's receiver and sender state; every method is a ctx syscall or instruction. */
export class TaskUintr {
  readonly #hooks: UintrCtxHooks;
  #v: UintrViews | undefined;
  #upid = NO_UPID;
  #handler: UintrHandler | undefined;
  #slot = NO_SENDER;

  constructor(hooks: UintrCtxHooks) {
    this.#hooks = hooks;
  }

  /** An interrupt point (syscall entry/exit, explicit poll): deliver pending vectors high to low. */
  poll(): number {
    if (this.#upid < 0) return 0;
    return poll(this.#v!, this.#upid, this.#handler!);
  }

  /** Switched out (a blocking syscall): SN set, so senders post without notifying. */
  blockEnter(): void {
    if (this.#upid >= 0) deschedule(this.#v!, this.#upid);
  }

  /** Running again: SN cleared; what was posted meanwhile is delivered by the caller's poll(). */
  blockExit(): void {
    if (this.#upid >= 0) resume(this.#v!, this.#upid, this.#hooks.cpu());
  }

  /** exec: nothing uintr-related survives (the control plane already freed UPID, UITT and fds). */
  reset(): void {
    this.#upid = NO_UPID;
    this.#handler = undefined;
    this.#slot = NO_SENDER;
  }

  /** uintr_register_handler(handler, flags): become a receiver; UIF stays 0 until stui(). */
  register_handler(handler: UintrHandler, flags: number): void {
    const name = 'uintr_register_handler';
    this.#table(name);
    if (typeof handler !== 'function') throw kerr('EFAULT', name, undefined, 'handler must be a function (vector) => void');
    const upid = this.#hooks.rpc({ op: 'register_handler', flags }) as number;
    this.#handler = handler;
    this.#upid = upid;
  }

  /** uintr_unregister_handler(flags): senders' posts stop being delivered, silently. */
  unregister_handler(flags: number): void {
    this.#table('uintr_unregister_handler');
    this.#hooks.rpc({ op: 'unregister_handler', flags });
    this.#upid = NO_UPID;
    this.#handler = undefined;
  }

  /** uintr_create_fd(vector, flags): an fd number in this process's fd table. */
  create_fd(vector: number, flags: number): number {
    this.#table('uintr_create_fd');
    return this.#hooks.rpc({ op: 'create_fd', vector, flags }) as number;
  }

  /** uintr_register_sender(fd, flags): the uipi_index for senduipi. */
  register_sender(fd: number, flags: number): number {
    this.#table('uintr_register_sender');
    const r = this.#hooks.rpc({ op: 'register_sender', fd, flags }) as { index: number; slot: number };
    this.#slot = r.slot;
    return r.index;
  }

  /** uintr_unregister_sender(index, flags): senduipi on it then faults with SIGSEGV. */
  unregister_sender(index: number, flags: number): void {
    this.#table('uintr_unregister_sender');
    this.#hooks.rpc({ op: 'unregister_sender', index, flags });
  }

  /**
   * uintr_wait(usec, flags): sleep until a user interrupt arrives or a signal is delivered ('EINTR',
   * after the handler ran), or `usec` passes ('timed-out'). A post or a signal wakes it at once, with
   * no lost wake-up (src/uintr/wait.ts: uintrWaitTask). An ignored or blocked signal does not end it.
   */
  wait(usec: number | undefined, flags: number, clockNs: () => number): TaskUintrWaitResult {
    const name = 'uintr_wait';
    const v = this.#table(name);
    if (flags !== 0) throw kerr('EINVAL', name, undefined, 'flags must be 0');
    if (usec !== undefined && (!Number.isFinite(usec) || usec < 0)) throw kerr('EINVAL', name, undefined, 'usec must be a finite number ≥ 0');
    if (this.#upid < 0) throw kerr('EOPNOTSUPP', name, undefined, 'not a receiver: call uintr_register_handler first');
    const upid = this.#upid;
    const handler = this.#handler!;
    const opts = usec === undefined ? {} : { deadlineNs: clockNs() + usec * 1e3 };
    const h = this.#hooks;
    for (;;) {
      const r = h.block(() => uintrWaitTask(v, upid, handler, h.sleep, opts));
      if (r === 'EINTR' || r === 'signal') {
        // Return to user space: pending signals' handlers run (a signal that raced a post as well).
        const ran = h.takeSignals();
        if (r === 'EINTR' || ran > 0) return 'EINTR';
        continue; // only ignored signals were pending: sleep again, same deadline
      }
      if (r === 'timed-out') return r;
      if (r === 'cancelled') return h.cancelled();
      throw kerr(r, name);
    }
  }

  /** SENDUIPI index: post; a missing UITT raises SIGILL, an invalid index SIGSEGV (synchronously). */
  senduipi(index: number): void {
    const r = senduipi(this.#table('senduipi'), this.#slot, index);
    if (r !== 0) this.#hooks.raise(r);
  }

  /** CLUI: mask user interrupts (posts stay pending). */
  clui(): void {
    this.#table('clui');
    if (this.#upid >= 0) clui(this.#v!, this.#upid);
  }

  /** STUI: unmask, and take what is pending at once. */
  stui(): void {
    this.#table('stui');
    if (this.#upid < 0) return;
    stui(this.#v!, this.#upid);
    poll(this.#v!, this.#upid, this.#handler!);
  }

  /** TESTUI: the user interrupt flag. */
  testui(): boolean {
    this.#table('testui');
    return this.#upid >= 0 && testui(this.#v!, this.#upid);
  }

  /** The explicit interrupt point a compute loop calls. Returns deliveries made. */
  uintr_poll(): number {
    this.#table('uintr_poll');
    return this.poll();
  }

  // The table, or EOPNOTSUPP on a lab without the feature (as a CPU without X86_FEATURE_UINTR).
  #table(syscall: string): UintrViews {
    // The task's views also carry the process table, so a send to a lab task in uintr_wait can kick
    // its WAKE word (U_WAKER). Same object shape as the plain views (tasks is always a field).
    const v = (this.#v ??= withTasks(this.#hooks.views(), this.#hooks.tasks));
    if (v === undefined) throw kerr('EOPNOTSUPP', syscall, undefined, 'this lab was booted with uintr: false (no user-interrupt support)');
    return v;
  }
}

function withTasks(v: UintrViews | undefined, tasks: Int32Array): UintrViews | undefined {
  return v === undefined ? undefined : { ...v, tasks };
}
