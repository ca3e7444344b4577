// Kernel entry for a user task (arch/x86/entry, reduced): the interrupt points every syscall passes
// (pending signals, SIGKILL/shutdown, user interrupts), blocking sections that show BLOCKED in the
// process table, syscalls the task's CPU actor serves, and syscalls the control plane serves over the
// task's port. Runs in the task's own worker; every wait here is on the task's WAKE or SYS_DONE word
// with the task's cancel bits, so SIGKILL and lab shutdown end it.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { KernelError } from '../errno.js';
import { waitWord, type CancelWord } from '../shm/wait.js';
import type { KernelShm } from '../kernel/layout.js';
import { postSyscall, type SyscallNr } from '../kernel/syscalls.js';
import { TASK, TASK_CANCEL_MASK, TaskFlag, TaskState, type TaskShm } from '../kernel/task-layout.js';
import type { TaskMessage, TaskRpcCall, TaskRpcReply } from '../lab/protocol.js';
import { TaskCancelled } from './control.js';

/** What entry and exit run besides the transport: the task's signal, uintr and perf state. */
export interface EntryHooks {
  /** Deliver pending, unblocked signals; returns how many handlers ran. */
  deliverSignals(): number;
  /** True when a pending, unblocked signal would run a handler or kill (ignored ones are discarded). */
  signalInterrupts(): boolean;
  /** A user-interrupt delivery point. */
  uintrPoll(): void;
  /** Switched out: a voluntary context switch starts (perf count, uintr SN set). */
  switchOut(): void;
  /** Switched back in (uintr SN cleared). */
  switchIn(): void;
}

/** The syscall transport of one task. */
export class KernelEntry {
  /** The task's cancel bits (SIGKILL, shutdown): every wait of the task passes them. */
  readonly cancel: CancelWord;
  readonly #k: KernelShm;
  readonly #t: TaskShm;
  readonly #slot: number;
  readonly #s: number;
  readonly #port: MessagePort;
  readonly #h: EntryHooks;
  #rpcSeq = 0;
  #sysId = 0;

  constructor(k: KernelShm, t: TaskShm, slot: number, port: MessagePort, hooks: EntryHooks) {
    this.#k = k;
    this.#t = t;
    this.#slot = slot;
    this.#s = t.slotBase(slot);
    this.#port = port;
    this.#h = hooks;
    this.cancel = { view: t.i32, index: this.#s + TASK.FLAGS, mask: TASK_CANCEL_MASK };
  }

  // Syscall entry: take pending signals (the kernel does it on every return to user space).
  enter(): void {
    this.#h.deliverSignals();
    if ((Atomics.load(this.#t.i32, this.#s + TASK.FLAGS) & TASK_CANCEL_MASK) !== 0) this.cancelled();
    this.#h.uintrPoll(); // uintr: an interrupt point
  }

  /** End the task's program: it was SIGKILLed or the lab shuts down. */
  cancelled(): never {
    const flags = Atomics.load(this.#t.i32, this.#s + TASK.FLAGS);
    throw new TaskCancelled((flags & TaskFlag.KILLED) !== 0 ? 'SIGKILL' : 'shutdown');
  }

  // Run a blocking section with the STATE word showing BLOCKED.
  block<T>(fn: () => T): T {
    Atomics.store(this.#t.i32, this.#s + TASK.STATE, TaskState.BLOCKED); // single writer while alive (the task)
    this.#h.switchOut(); // perf: a voluntary context switch; uintr: SN set
    let out: T;
    try {
      out = fn();
    } finally {
      this.#h.switchIn(); // uintr: SN cleared
      Atomics.store(this.#t.i32, this.#s + TASK.STATE, TaskState.RUNNING);
    }
    this.#h.uintrPoll(); // uintr: posts made while blocked are delivered on return
    return out;
  }

  // A syscall served by the CPU actor this task is on (fast path, no control plane). With
  // `interruptible`, a handled signal ends the wait and the call returns undefined (the CPU's late
  // completion is then ignored: it carries an older request id).
  cpuSyscall(nr: SyscallNr, args: readonly number[], interruptible = false, onCpu?: number): number | undefined {
    this.enter();
    const i32 = this.#t.i32;
    const s = this.#s;
    const id = (this.#sysId = (this.#sysId + 1) | 0);
    const cpu = onCpu ?? Atomics.load(i32, s + TASK.CPU);
    const word = interruptible ? s + TASK.WAKE : s + TASK.SYS_DONE;
    let seen = Atomics.load(i32, word); // acquire: before posting, so the CPU's kick is not lost
    postSyscall(this.#k, this.#t, cpu, this.#slot, nr, id, args);
    for (;;) {
      if (Atomics.load(i32, s + TASK.SYS_DONE_ID) === id) break; // acquire: SYS_RET was stored before
      if (interruptible && this.#h.deliverSignals() > 0) return undefined;
      if (waitWord(i32, word, seen, { cancel: this.cancel }) === 'cancelled') this.cancelled();
      seen = Atomics.load(i32, word);
    }
    return i32[s + TASK.SYS_RET]!;
  }

  // A syscall the control plane serves: post on the port, sleep on WAKE until the reply is there.
  // `interruptible` calls (wait4, read) end with EINTR when a signal is handled meanwhile.
  rpc(req: TaskRpcCall, interruptible = false): unknown {
    this.enter();
    const value = this.call(req, interruptible);
    this.enter();
    return value;
  }

  /**
   * The control-plane round trip without the interrupt points (for calls made inside the kernel, e.g.
   * mid-trap). With `interruptible`, a pending unblocked signal that is not ignored withdraws the call
   * ('rpc.cancel'); the control plane answers it at once with EINTR (or its result, when it had already
   * finished, which is then returned). On EINTR the handlers run, or a fatal signal ends the task, and
   * EINTR is thrown (no SA_RESTART). The cancel is itself a round trip, so the reply to `seq` is always
   * taken here and no later call mistakes or drops it.
   *
   * No lost wake-up: WAKE is loaded before the port and the signal word are checked, and a signal
   * sender kicks WAKE after setting its pending bit (queueSignal), so a signal that lands after the
   * check changes WAKE and the wait returns at once (the argument of uintrWaitTask in src/uintr/wait.ts).
   */
  call(req: TaskRpcCall, interruptible = false): unknown {
    const seq = ++this.#rpcSeq;
    this.#port.postMessage({ type: 'rpc', seq, req } satisfies TaskMessage);
    let withdrawn = false;
    const reply = this.block(() => {
      for (;;) {
        const seen = Atomics.load(this.#t.i32, this.#s + TASK.WAKE); // acquire: before the checks below
        for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
          const r = m.message as TaskRpcReply;
          if (r.type === 'rpc.reply' && r.seq === seq) return r;
        }
        if (interruptible && !withdrawn && this.#h.signalInterrupts()) {
          this.#port.postMessage({ type: 'rpc.cancel', seq } satisfies TaskMessage);
          withdrawn = true;
        }
        if (waitWord(this.#t.i32, this.#s + TASK.WAKE, seen, { cancel: this.cancel }) === 'cancelled') this.cancelled();
      }
    });
    if (reply.ok) return reply.value;
    if (withdrawn && reply.error.code === 'EINTR') this.#h.deliverSignals(); // the handler runs before EINTR returns; a fatal signal throws here
    throw KernelError.from(reply.error);
  }
}
