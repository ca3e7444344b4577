// A task's side of signals (kernel/signal.c, reduced): its handler table, blocked mask, delivery of
// pending signals at interrupt points, and signals the task raises on itself (perf SIGTRAP, memory
// and uintr faults) delivered before the faulting instruction returns. Runs in the task's worker.
// Senders set bits in the task's SIGPENDING word (queueSignal) and kick its WAKE word.
import { kerr } from '../errno.js';
import { TASK, type TaskShm } from '../kernel/task-layout.js';
import { SI_USER, ignoredByDefault, queueSignal, signalName, signalNumber, type SigInfo, type SignalHandler } from '../kernel/signal.js';
import { TaskSignalled } from './control.js';
import type { SigInherit } from '../lab/protocol.js';
import type { RaiseHow } from './perf-ctx.js'; // perf

/** How sigprocmask(2) changes the blocked set. */
export type SigprocmaskHow = 'SIG_BLOCK' | 'SIG_UNBLOCK' | 'SIG_SETMASK';

/** The signal state of one task. */
export class TaskSignals {
  readonly #i32: Int32Array;
  readonly #t: TaskShm;
  readonly #slot: number;
  readonly #s: number;
  readonly #handlers = new Map<number, SignalHandler | 'SIG_IGN'>();
  readonly #sigInfo = new Map<number, SigInfo>(); // perf: siginfo of queued signals (one per signal, as for legacy signals)

  /** `inherit`: the clone parent's SIG_IGN set and blocked mask (fork(2), clone(2) keep both). */
  constructor(t: TaskShm, slot: number, inherit?: SigInherit) {
    this.#t = t;
    this.#i32 = t.i32;
    this.#slot = slot;
    this.#s = t.slotBase(slot);
    if (inherit === undefined) return;
    for (let n = 1; n <= 31; n++) if ((inherit.ignored & (1 << (n - 1))) !== 0 && n !== 9 && n !== 19) this.#handlers.set(n, 'SIG_IGN');
    Atomics.store(this.#i32, this.#s + TASK.SIGBLOCKED, inherit.blocked & ~((1 << 8) | (1 << 18))); // single writer: this task, before its program runs
  }

  /** What a clone child inherits: the SIG_IGN set and the blocked mask (handler closures cannot cross workers). */
  inheritable(): SigInherit {
    let ignored = 0;
    for (const [n, a] of this.#handlers) if (a === 'SIG_IGN') ignored |= 1 << (n - 1);
    return { ignored, blocked: Atomics.load(this.#i32, this.#s + TASK.SIGBLOCKED) }; // single writer: this task
  }

  /** Install a handler, 'SIG_IGN' or 'SIG_DFL'. SIGKILL and SIGSTOP cannot be caught (EINVAL). */
  sigaction(sig: number | string, action: SignalHandler | 'SIG_IGN' | 'SIG_DFL'): void {
    const n = signalNumber(sig);
    if (n === undefined || n === 0 || n === 9 || n === 19) throw kerr('EINVAL', 'sigaction', undefined, `cannot change the action of ${String(sig)}`);
    // A disposition that is not a handler could only fail later, at delivery, in the task's own
    // signal path: refuse it here. EINVAL, not EFAULT: the value is readable, it is just not one of the
    // three dispositions (EFAULT is for an act pointer the kernel cannot read, which JS cannot pass).
    if (typeof action !== 'function' && action !== 'SIG_IGN' && action !== 'SIG_DFL') {
      throw kerr('EINVAL', 'sigaction', undefined, `the action must be a function (sig, info) => void, 'SIG_IGN' or 'SIG_DFL', got ${typeof action === 'string' ? JSON.stringify(action) : typeof action}`);
    }
    if (action === 'SIG_DFL') this.#handlers.delete(n);
    else this.#handlers.set(n, action);
  }

  /** Change the blocked set; returns the old one as signal numbers. The caller then delivers what was unblocked. */
  sigprocmask(how: SigprocmaskHow, set: ReadonlyArray<number | string>): number[] {
    let mask = 0;
    for (const sig of set) {
      const n = signalNumber(sig);
      if (n === undefined || n === 0) throw kerr('EINVAL', 'sigprocmask', undefined, `unknown signal ${String(sig)}`);
      if (n !== 9 && n !== 19) mask |= 1 << (n - 1);
    }
    const i = this.#s + TASK.SIGBLOCKED;
    const old = Atomics.load(this.#i32, i);
    const next = how === 'SIG_BLOCK' ? old | mask : how === 'SIG_UNBLOCK' ? old & ~mask : how === 'SIG_SETMASK' ? mask : undefined;
    if (next === undefined) throw kerr('EINVAL', 'sigprocmask', undefined, `how must be SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK, got ${String(how)}`);
    Atomics.store(this.#i32, i, next); // single writer: this task
    return Array.from({ length: 31 }, (_, b) => b + 1).filter((n) => (old & (1 << (n - 1))) !== 0);
  }

  /** execve(2): caught signals go back to SIG_DFL and queued siginfo is dropped; SIG_IGN and the blocked mask stay. */
  reset(): void {
    for (const [n, a] of this.#handlers) if (a !== 'SIG_IGN') this.#handlers.delete(n);
    this.#sigInfo.clear(); // perf
  }

  /** Whether an unblocked signal is pending (a sleeping syscall should end with EINTR). */
  pending(): boolean {
    return (Atomics.load(this.#i32, this.#s + TASK.SIGPENDING) & ~Atomics.load(this.#i32, this.#s + TASK.SIGBLOCKED)) !== 0; // acquire: senders' or
  }

  /**
   * Whether a pending, unblocked signal must end an interruptible sleep: it has a handler or its
   * default action kills. Pending ignored signals (SIG_IGN, or ignored by default) are discarded, as
   * the kernel does when it generates them, so they neither wake the sleeper again nor end its sleep.
   */
  interrupts(): boolean {
    const i32 = this.#i32;
    const pend = Atomics.load(i32, this.#s + TASK.SIGPENDING) & ~Atomics.load(i32, this.#s + TASK.SIGBLOCKED); // acquire: senders' or
    for (let bits = pend; bits !== 0; bits &= bits - 1) {
      const bit = bits & -bits;
      const sig = 31 - Math.clz32(bit) + 1;
      const action = this.#handlers.get(sig);
      if (action === 'SIG_IGN' || (action === undefined && ignoredByDefault(sig))) {
        Atomics.and(i32, this.#s + TASK.SIGPENDING, ~bit); // RMW only: senders or concurrently
        Atomics.exchange(i32, this.#s + TASK.SIGPID + sig - 1, 0); // RMW only: the next sender CASes 0 to its tgid
        this.#sigInfo.delete(sig); // perf
        continue;
      }
      return true;
    }
    return false;
  }

  /** Deliver pending, unblocked signals; returns how many handlers ran. A fatal one unwinds the program. */
  deliver(): number {
    const i32 = this.#i32;
    let ran = 0;
    for (;;) {
      const pend = Atomics.load(i32, this.#s + TASK.SIGPENDING) & ~Atomics.load(i32, this.#s + TASK.SIGBLOCKED); // acquire
      if (pend === 0) return ran;
      const bit = pend & -pend;
      Atomics.and(i32, this.#s + TASK.SIGPENDING, ~bit); // RMW only: senders or concurrently
      const sig = 31 - Math.clz32(bit) + 1;
      const siPid = Atomics.exchange(i32, this.#s + TASK.SIGPID + sig - 1, 0); // RMW only: after the bit, so the next sender's pid stays for its own delivery
      const action = this.#handlers.get(sig);
      if (action === 'SIG_IGN') continue;
      if (action === undefined) {
        if (ignoredByDefault(sig)) continue;
        throw new TaskSignalled(signalName(sig));
      }
      const info: SigInfo = this.#sigInfo.get(sig) ?? { si_signo: sig, si_code: SI_USER, si_pid: siPid }; // perf: a queued perf SIGTRAP keeps its siginfo
      this.#sigInfo.delete(sig); // perf
      this.#runHandler(sig, action, info);
      ran++;
    }
  }

  // Run a handler with its own signal blocked (no SA_NODEFER): the mask at delivery comes back when it
  // returns, as sigreturn restores it (undoing any sigprocmask inside the handler). A handler that
  // unwinds (exit, exec, a thrown error) restores it too: unlike siglongjmp, JS has no other way out.
  #runHandler(sig: number, action: SignalHandler, info: SigInfo): void {
    const at = this.#s + TASK.SIGBLOCKED;
    const saved = Atomics.load(this.#i32, at); // single writer: this task
    Atomics.store(this.#i32, at, saved | (1 << (sig - 1))); // single writer: this task
    try {
      action(sig, info);
    } finally {
      Atomics.store(this.#i32, at, saved); // single writer: this task; a signal it unblocks is taken at the next interrupt point
    }
  }

  /** A synchronous fault (force_sig_fault, e.g. a bad senduipi): a blocked or ignored signal still kills. */
  fault(sig: string): void {
    const n = signalNumber(sig)!;
    const blocked = (Atomics.load(this.#i32, this.#s + TASK.SIGBLOCKED) & (1 << (n - 1))) !== 0; // single writer (this task)
    const action = this.#handlers.get(n);
    if (blocked || action === undefined || action === 'SIG_IGN') throw new TaskSignalled(sig);
    queueSignal(this.#t, this.#slot, n);
    this.deliver();
  }

  // perf: a signal this task raises on itself (a perf SIGTRAP, a memory fault), delivered before
  // the faulting access returns. 'send' = send_sig_info, 'force' = force_sig_fault, 'kill' = die.
  raise(sig: number, info: SigInfo, how: RaiseHow): void {
    const bit = 1 << (sig - 1);
    const blocked = (Atomics.load(this.#i32, this.#s + TASK.SIGBLOCKED) & bit) !== 0; // single writer (this task)
    const action = this.#handlers.get(sig);
    if (how === 'kill' || (how === 'force' && (blocked || action === undefined || action === 'SIG_IGN'))) throw new TaskSignalled(signalName(sig));
    if (action === 'SIG_IGN') return;
    if (blocked) {
      // A legacy signal already pending is not queued twice (kernel/signal.c legacy_queue).
      if ((Atomics.or(this.#i32, this.#s + TASK.SIGPENDING, bit) & bit) === 0) this.#sigInfo.set(sig, info); // RMW only
      return;
    }
    if (action === undefined) {
      if (ignoredByDefault(sig)) return;
      throw new TaskSignalled(signalName(sig));
    }
    this.#runHandler(sig, action, info);
  }
}
