// The lab's user interrupts (arch/x86/kernel/uintr_fd.c, uintr_core.c): one UPID/UITT table for every
// task, the uintr syscalls that need the fd table or ownership (register/unregister handler, create
// fd, register/unregister sender), fd bookkeeping (close, fork dup, close-on-exec, pidfd_getfd) and
// teardown on exit/kill. Control plane (main thread) only; senduipi, clui/stui, delivery and uintr_wait
// run in the tasks on shared memory and never pass through here.
import { createActor, type Actor } from 'xstate';
import { kerr } from '../errno.js';
import {
  allocateUintr, registerHandler, createFd, claimSender, releaseSender, registerSender,
  unregisterSender, unregisterHandler, cancelUintrWait, isAlive, isWaiting, connections, NO_UPID, NO_SENDER,
  type UintrViews,
} from '../uintr/index.js';
import { uintrReceiverMachine } from '../../machines/uintr-receiver.js';
import { getFile, putFile, type OpenFile } from '../tracefs/tree.js';
import type { UintrBoot, UintrRpc } from './protocol.js';
import { UINTR_FD_PATH, install, openUintrFile, type UintrFile } from './uintr-files.js';

export { UINTR_FD_PATH };

/** Options of the lab's uintr table. */
export interface LabUintrOptions {
  /** Task slots of the lab: the table gets one UPID and one UITT per slot. */
  readonly maxTasks: number;
  /** `false` models a CPU without the feature: every uintr syscall is EOPNOTSUPP. @default true */
  readonly enabled?: boolean;
}

/** The parts of a task record the uintr code needs. */
export interface UintrTaskRef {
  readonly pid: number;
  readonly tgid: number;
  readonly fds: Map<number, OpenFile>;
}

/** What register_sender answers: the uipi_index and the sender slot senduipi runs on. */
export interface UintrSenderReply {
  readonly index: number;
  readonly slot: number;
}

type ReceiverActor = Actor<typeof uintrReceiverMachine>;

/**
 * The lab's user-interrupt control plane.
 *
 * Handing a uintr fd to a task of another process: either create it before `clone()` without
 * `thread` (fds are copied to the child, as at fork; the child registers as a sender), or call
 * {@link LabUintr.getfd} (pidfd_getfd(2)) from the control plane.
 */
export class LabUintr {
  /** False when the lab was booted with `uintr: false`. */
  readonly enabled: boolean;
  readonly #v: UintrViews | undefined;
  readonly #receivers = new Map<number, ReceiverActor>();
  readonly #senders = new Map<number, number>();
  readonly #files = new WeakMap<OpenFile, UintrFile>();
  #task: (pid: number) => UintrTaskRef | undefined = () => undefined;

  constructor(opts: LabUintrOptions) {
    this.enabled = opts.enabled ?? true;
    this.#v = this.enabled ? allocateUintr(opts.maxTasks, opts.maxTasks) : undefined;
  }

  /** The table views (tests, diagnostics). @internal */
  get views(): UintrViews | undefined {
    return this.#v;
  }

  /** What every task's boot payload carries (undefined when disabled). */
  boot(): UintrBoot | undefined {
    const v = this.#v;
    return v === undefined ? undefined : { sab: v.views.sab, receivers: v.receivers, senders: v.senders, ...(v.memory === undefined ? {} : { memory: v.memory }) };
  }

  /** The process manager tells how to find a live task by pid (for getfd). */
  bind(task: (pid: number) => UintrTaskRef | undefined): void {
    this.#task = task;
  }

  /** UPID of a task's registered handler, or undefined. */
  upidOf(pid: number): number | undefined {
    return this.#receivers.get(pid)?.getSnapshot().context.upid ?? undefined;
  }

  /** Receiver state of a task: 'unregistered' | 'registered' | 'exited' (undefined: never registered). */
  receiverState(pid: number): string | undefined {
    const a = this.#receivers.get(pid);
    if (a === undefined) return undefined;
    const v = a.getSnapshot().value;
    return typeof v === 'string' ? v : Object.keys(v)[0];
  }

  /** True while task `pid` sleeps in uintr_wait (its UPID's UW bit). Stale-ok: for diagnostics and tests. */
  isWaiting(pid: number): boolean {
    const upid = this.upidOf(pid);
    return upid !== undefined && this.#v !== undefined && isWaiting(this.#v, upid);
  }

  /** Sender slot of a task, or undefined. */
  senderSlotOf(pid: number): number | undefined {
    return this.#senders.get(pid);
  }

  /** Valid UITT entries of a task (0 without a UITT). */
  connectionsOf(pid: number): number {
    const s = this.#senders.get(pid);
    return s === undefined || this.#v === undefined ? 0 : connections(this.#v, s);
  }

  /** Serve one uintr syscall of `task`. Throws KernelError with the man page's codes. */
  syscall(task: UintrTaskRef, req: UintrRpc): number | UintrSenderReply {
    const name = `uintr_${req.op}`;
    const v = this.#v;
    if (v === undefined) throw kerr('EOPNOTSUPP', name, undefined, 'this lab was booted with uintr: false (no user-interrupt support)');
    switch (req.op) {
      case 'register_handler': {
        const r = registerHandler(v, req.flags, this.upidOf(task.pid) ?? NO_UPID, task.pid);
        if (typeof r === 'string') throw kerr(r, name);
        this.#receiver(task.pid).send({ type: 'uintr.register', upid: r });
        return r;
      }
      case 'unregister_handler': {
        const upid = this.upidOf(task.pid);
        if (req.flags !== 0 || upid === undefined) throw kerr('EINVAL', name, undefined, req.flags !== 0 ? 'flags must be 0' : 'no handler is registered');
        this.#receiver(task.pid).send({ type: 'uintr.unregister' });
        return 0;
      }
      case 'create_fd': {
        const r = createFd(v, this.upidOf(task.pid) ?? NO_UPID, req.vector, req.flags);
        if (typeof r === 'string') throw kerr(r, name, undefined, detailOfCreate(r));
        return install(task.fds, openUintrFile(v, { fd: r }, this.#files));
      }
      case 'register_sender': {
        if (req.flags !== 0) throw kerr('EINVAL', name, undefined, 'flags must be 0');
        const f = task.fds.get(req.fd);
        if (f === undefined) throw kerr('EBADF', name, undefined, `fd ${req.fd} is not open`);
        const u = this.#files.get(f);
        if (u === undefined) throw kerr('EOPNOTSUPP', name, f.path, 'not a uintr fd');
        let slot = this.#senders.get(task.pid);
        if (slot === undefined) {
          const s = claimSender(v);
          if (s === 'ENOMEM') throw kerr('ENOMEM', name, undefined, 'no free sender slot');
          this.#senders.set(task.pid, (slot = s));
        }
        const r = registerSender(v, slot, u.fd, 0);
        if (typeof r === 'string') throw kerr(r, name, undefined, detailOfSender(r));
        return { index: r, slot };
      }
      case 'unregister_sender': {
        const r = unregisterSender(v, this.#senders.get(task.pid) ?? NO_SENDER, req.index, req.flags);
        if (r !== 0) throw kerr(r, name, undefined, `uipi_index ${req.index} is not connected`);
        return 0;
      }
      default:
        throw kerr('ENOSYS', String((req as { op: unknown }).op));
    }
  }

  /** execve: uintr fds are close-on-exec; the handler and the UITT do not survive either. */
  onExec(task: UintrTaskRef): void {
    for (const [n, f] of task.fds) {
      if (!this.#files.has(f)) continue;
      task.fds.delete(n);
      putFile(f);
    }
    this.#receivers.get(task.pid)?.send({ type: 'task.exec' });
    this.#dropSender(task.pid);
  }

  /** SIGKILL on its way: end a sleeping uintr_wait now (the worker is terminated next). */
  onKill(pid: number): void {
    const upid = this.upidOf(pid);
    if (upid !== undefined && this.#v !== undefined) cancelUintrWait(this.#v, upid);
  }

  /** The task ended: its UPID dies (senders stop delivering, silently), its UITT is freed. */
  onExit(pid: number): void {
    const a = this.#receivers.get(pid);
    if (a !== undefined) {
      a.send({ type: 'task.exit' });
      a.stop();
      this.#receivers.delete(pid);
    }
    this.#dropSender(pid);
  }

  /** Lab shutdown: cancel every uintr_wait, so no task stays asleep in one. */
  shutdown(): void {
    const v = this.#v;
    if (v === undefined) return;
    for (const a of this.#receivers.values()) {
      const upid = a.getSnapshot().context.upid;
      if (upid !== null) cancelUintrWait(v, upid);
    }
  }

  /**
   * pidfd_getfd(2): duplicate uintr fd `fd` of task `fromPid` into task `toPid`'s fd table; returns the
   * new fd number. ESRCH for a missing task, EBADF for a closed fd, EOPNOTSUPP for a non-uintr fd.
   */
  getfd(fromPid: number, fd: number, toPid: number): number {
    if (this.#v === undefined) throw kerr('EOPNOTSUPP', 'pidfd_getfd', undefined, 'this lab was booted with uintr: false');
    const from = this.#task(fromPid);
    const to = this.#task(toPid);
    if (from === undefined || to === undefined) throw kerr('ESRCH', 'pidfd_getfd', undefined, `no task with pid ${from === undefined ? fromPid : toPid}`);
    const f = from.fds.get(fd);
    if (f === undefined) throw kerr('EBADF', 'pidfd_getfd', undefined, `fd ${fd} is not open in pid ${fromPid}`);
    const u = this.#files.get(f);
    if (u === undefined) throw kerr('EOPNOTSUPP', 'pidfd_getfd', f.path, 'only uintr fds can be handed over');
    return install(to.fds, getFile(f)); // the same open file: one more reference
  }

  #receiver(pid: number): ReceiverActor {
    let a = this.#receivers.get(pid);
    if (a === undefined) {
      const v = this.#v!;
      const machine = uintrReceiverMachine.provide({
        actions: {
          // The UPID dies; a uintr_wait still asleep on it (only possible at exit) is cancelled.
          releaseUpid: (_, p) => {
            if (p.upid < 0 || !isAlive(v, p.upid)) return;
            cancelUintrWait(v, p.upid);
            unregisterHandler(v, p.upid, 0);
          },
        },
      });
      a = createActor(machine, { input: { pid } }).start();
      this.#receivers.set(pid, a);
    }
    return a;
  }

  #dropSender(pid: number): void {
    const s = this.#senders.get(pid);
    if (s === undefined || this.#v === undefined) return;
    this.#senders.delete(pid);
    releaseSender(this.#v, s);
  }
}

function detailOfCreate(code: string): string {
  switch (code) {
    case 'EINVAL': return 'flags must be 0 and a handler must be registered first';
    case 'ENOSPC': return 'vector must be 0..63';
    case 'EBUSY': return 'that vector already has an fd';
    default: return code;
  }
}

function detailOfSender(code: string): string {
  switch (code) {
    case 'ESHUTDOWN': return 'the receiver has unregistered or exited';
    case 'EISCONN': return 'already connected to this fd';
    case 'ENOSPC': return 'the UITT of this sender thread is full (256 entries)';
    case 'EBADF': return 'the fd was closed';
    default: return code;
  }
}
