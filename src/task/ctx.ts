// The syscall interface a user task's program receives as `ctx` (the task's view of the kernel).
// Runs in the task's own worker. Blocking calls block this worker through src/shm/wait.ts on the
// task's WAKE word, which every waker, signal sender and the control plane's RPC reply kick; the
// cancel bits in FLAGS (SIGKILL, shutdown) end any wait.
import type { MessagePort } from 'node:worker_threads';
import { errnoName, kerr } from '../errno.js';
import { TimerlatUser, TracingSwitch } from '../tracers/timerlat-user.js';
import type { RingBuffer } from '../ringbuf/index.js';
import type { TimerlatShm } from '../tracers/timerlat-layout.js';
import { clockNs } from '../shm/clock.js';
import { waitWord } from '../shm/wait.js';
import { MAX_CPUS, type KernelShm } from '../kernel/layout.js';
import { NR } from '../kernel/syscalls.js';
import { TASK, readAffinity, slotOfPid, type TaskShm } from '../kernel/task-layout.js';
import type { RingBoot, SigInherit } from '../lab/protocol.js';
import { moduleUrlOf } from '../kernel/module-url.js';
import { TaskExecRequest, TaskExitRequest } from './control.js';
import { loadProgram } from './exec-load.js';
import { queueSignal, refuseJobControl, signalNumber, type SignalHandler } from '../kernel/signal.js';
import { TaskSignals, type SigprocmaskHow } from './signals-ctx.js';
import { KernelEntry } from './entry.js';
import { TaskUintr } from './uintr-ctx.js'; // uintr
import type { UintrViews } from '../uintr/index.js'; // uintr
import { TaskUintrCalls } from './uintr-syscalls.js'; // uintr
import { TaskPerf } from './perf-ctx.js'; // perf
import type { TaskMem } from './mem.js'; // perf
import type { PerfBoot } from '../perf/boot.js'; // perf
import type { PerfEventAttr, PerfFd } from '../perf/abi.js'; // perf

/** Shared regions a task attaches lazily (the first time it needs them). */
export interface TaskShared {
  ring(): RingBuffer;
  timerlat(): TimerlatShm;
  /** The lab's user-interrupt table; undefined when the lab runs with `uintr: false`. */ // uintr
  uintr?(): UintrViews | undefined;
  /** The perf region and this process's address space; undefined when the lab has no perf. */ // perf
  perf?(): PerfBoot | undefined;
  /** Give the runtime a way to fetch the current ring after a buffer_size_kb resize (a control-plane call). */
  bindRingFetch?(fetch: () => RingBoot): void;
}

/** Options of clone(). */
export interface CloneOptions {
  /** CLONE_THREAD: same thread group, shared fd table. @default false (a new process) */
  readonly thread?: boolean;
  /** Program the child runs (`export default function main(ctx, arg)`). @default the caller's module */
  readonly module?: string | URL;
  /** Argument passed to the child's main. @default undefined */
  readonly arg?: unknown;
  /** CLONE_CLEAR_SIGHAND: the child starts with default handlers (SIG_IGN stays) and inherits no sigtrap perf event. @default false */ // perf
  readonly clearSighand?: boolean;
}

/** How a joined thread ended: its exit code, or the signal that killed it. */
export type JoinStatus = { readonly code: number } | { readonly signal: string };

/** What waitpid returns: the reaped child's pid and how it ended. */
export type WaitStatus = JoinStatus & { readonly pid: number };

/**
 * The syscalls of one user task. Names, arguments and errors follow the kernel's.
 * Errors are thrown as {@link KernelError} (`err.code === 'EINVAL'`).
 * The uintr syscalls and instructions come from {@link TaskUintrCalls}.
 */
export class TaskContext extends TaskUintrCalls {
  readonly #k: KernelShm;
  readonly #t: TaskShm;
  readonly #slot: number;
  readonly #s: number;
  readonly #e: KernelEntry;
  readonly #sig: TaskSignals;
  #moduleUrl: string;
  readonly #shared: TaskShared;
  readonly #timerlatFds = new Map<number, TimerlatUser>();
  readonly #uintr: TaskUintr; // uintr
  readonly #perf: TaskPerf; // perf
  /** This process's simulated memory: alloc, load8..64, store8..64; watchpoints trap before an access returns. */ // perf
  readonly mem: TaskMem; // perf

  /** @internal Built by the task runtime. */
  constructor(k: KernelShm, t: TaskShm, slot: number, port: MessagePort, moduleUrl: string, shared: TaskShared, sig?: SigInherit) {
    super();
    this.#shared = shared;
    shared.bindRingFetch?.(() => this.#e.call({ call: 'ring.handle' }) as RingBoot);
    this.#k = k;
    this.#t = t;
    this.#slot = slot;
    this.#s = t.slotBase(slot);
    this.#e = new KernelEntry(k, t, slot, port, {
      deliverSignals: () => this.#sig.deliver(),
      signalInterrupts: () => this.#sig.interrupts(),
      uintrPoll: () => this.#uintr.poll(), // uintr: an interrupt point
      switchOut: () => {
        this.#perf.contextSwitch(); // perf: a voluntary context switch
        this.#uintr.blockEnter(); // uintr: switched out, SN set
      },
      switchIn: () => this.#uintr.blockExit(), // uintr: SN cleared
    });
    this.#moduleUrl = moduleUrl;
    this.#sig = new TaskSignals(t, slot, sig);
    this.#uintr = new TaskUintr({ // uintr
      views: () => shared.uintr?.(),
      rpc: (req) => this.#e.rpc({ call: 'uintr', req }),
      raise: (sig) => this.#sig.fault(sig),
      block: (fn) => this.#e.block(fn),
      cancelled: () => this.#e.cancelled(),
      cpu: () => Atomics.load(this.#t.i32, this.#s + TASK.CPU), // acquire: migration stores it
      tasks: t.i32, // uintr_wait sleeps on WAKE, which signal senders kick, so a signal ends it with EINTR
      sleep: {
        index: this.#s + TASK.WAKE,
        cancel: this.#e.cancel,
        signalPending: () => this.#sig.pending(),
      },
      takeSignals: () => this.#sig.deliver(),
    });
    this.bindUintr(this.#e, this.#uintr); // uintr: the syscalls and instructions of uintr-syscalls.ts
    this.#perf = new TaskPerf({ k, t, slot, boot: shared.perf?.(), ring: () => shared.ring(), raise: (sig, info, how) => this.#sig.raise(sig, info, how) }); // perf
    this.mem = this.#perf.mem; // perf
  }

  /** Process id (the thread-group id, as getpid(2)). */
  getpid(): number {
    this.#e.enter();
    return Atomics.load(this.#t.i32, this.#s + TASK.TGID);
  }

  /** Thread id (gettid(2)). */
  gettid(): number {
    this.#e.enter();
    return Atomics.load(this.#t.i32, this.#s + TASK.PID);
  }

  /** The CPU this task runs on now (sched_getcpu(3)). */
  sched_getcpu(): number {
    this.#e.enter();
    return Atomics.load(this.#t.i32, this.#s + TASK.CPU); // acquire: migration stores it
  }

  /** This task's allowed CPUs. */
  sched_getaffinity(): number[] {
    this.#e.enter();
    return readAffinity(this.#t, this.#slot);
  }

  /** Restrict a task (default: this one) to `cpus`; migrates it when its CPU is no longer allowed. */
  sched_setaffinity(cpus: readonly number[]): void;
  sched_setaffinity(pid: number, cpus: readonly number[]): void;
  sched_setaffinity(a: number | readonly number[], b?: readonly number[]): void {
    const pid = typeof a === 'number' ? a : 0;
    const cpus = typeof a === 'number' ? b ?? [] : a;
    this.#e.rpc({ call: 'sched_setaffinity', pid: pid === 0 ? this.gettid() : pid, cpus: [...cpus] });
  }

  /** Give up the CPU (sched_yield(2)): a round trip through the CPU actor this task runs on. */
  sched_yield(): void {
    this.#e.cpuSyscall(NR.sched_yield, []);
  }

  /** Sleep `ns` nanoseconds. A handled signal ends it early with EINTR. */
  nanosleep(ns: number): void {
    if (!Number.isFinite(ns) || ns < 0) throw kerr('EINVAL', 'nanosleep', undefined, 'ns must be a finite number ≥ 0');
    const deadlineNs = clockNs() + ns;
    this.#e.block(() => {
      for (;;) {
        const seen = Atomics.load(this.#t.i32, this.#s + TASK.WAKE); // acquire: before the checks, so no kick is lost
        if (this.#sig.deliver() > 0) throw kerr('EINTR', 'nanosleep');
        const r = waitWord(this.#t.i32, this.#s + TASK.WAKE, seen, { deadlineNs, cancel: this.#e.cancel });
        if (r === 'timed-out') return;
        if (r === 'cancelled') this.#e.cancelled();
      }
    });
  }

  /** Burn CPU for `us` microseconds, as a busy loop does. Signals are taken when it ends. EINVAL unless finite and ≥ 0. */
  spin(us: number): void {
    if (!Number.isFinite(us) || us < 0) throw kerr('EINVAL', 'spin', undefined, 'us must be a finite number ≥ 0');
    const end = clockNs() + us * 1e3;
    while (clockNs() < end) {
      /* busy on purpose */
    }
    this.#e.enter();
  }

  /** Open a tracefs file (`/sys/kernel/tracing/…` or `/sys/kernel/debug/tracing/…`). */
  open(path: string, flags: 'r' | 'w' | 'rw' | 'O_RDONLY' | 'O_WRONLY' | 'O_RDWR' = 'r'): number {
    const fd = this.#e.rpc({ call: 'open', path, flags }) as number;
    const m = /(?:^|\/)osnoise\/per_cpu\/cpu(\d+)\/timerlat_fd$/.exec(path);
    if (m !== null) {
      const cpu = Number(m[1]);
      const user = new TimerlatUser(this.#shared.timerlat(), this.#shared.ring(), cpu, new TracingSwitch(this.#k.i32, this.#k.tracingOnIndex));
      this.#timerlatFds.set(fd, user);
    }
    return fd;
  }

  /**
   * Read up to `size` bytes as text. On a timerlat_fd: block until this period's timer fires (the
   * first read arms it; each later read records the user-ret latency), record the thread latency,
   * and return '' (0 bytes). A handled signal ends the wait early with no sample.
   */
  read(fd: PerfFd): number; // perf: a perf fd reads its count
  read(fd: number, size?: number): string;
  read(fd: number, size = 65536): string | number {
    if (this.#perf.owns(fd)) return (this.#e.enter(), this.#perf.read(fd)); // perf
    const tl = this.#timerlatFds.get(fd);
    if (tl === undefined) return this.#e.rpc({ call: 'read', fd, size }, true) as string; // a handled signal ends a blocked read: EINTR
    const ret = this.#e.cpuSyscall(NR.timerlat_read, [], true, tl.cpu);
    if (ret === undefined) return ''; // interrupted by a handled signal: no sample
    if (ret < 0) throw kerr(errnoName(ret) ?? 'EIO', 'read', `osnoise/per_cpu/cpu${tl.cpu}/timerlat_fd`);
    tl.threadSample();
    return '';
  }

  /** Write text; returns the bytes written. */
  write(fd: number, data: string): number {
    if (this.#perf.owns(fd)) return (this.#e.enter(), this.#perf.write(fd)); // perf
    return this.#e.rpc({ call: 'write', fd, data: String(data) }) as number;
  }

  /** Close a file descriptor. */
  close(fd: number): void {
    if (this.#perf.owns(fd)) return (this.#e.enter(), this.#perf.close(fd)); // perf
    const tl = this.#timerlatFds.get(fd);
    if (tl !== undefined) {
      this.#timerlatFds.delete(fd);
      this.#e.cpuSyscall(NR.timerlat_close, [], false, tl.cpu); // cancel the timer on the fd's CPU first
    }
    this.#e.rpc({ call: 'close', fd });
  }

  /** Send a signal (name or number) to a task; signal 0 only checks that it exists. */
  kill(pid: number, sig: number | string): void {
    this.#e.enter();
    const n = signalNumber(sig);
    if (n === undefined) throw kerr('EINVAL', 'kill', undefined, `unknown signal ${String(sig)}`);
    refuseJobControl(n); // as lab.kill: stop/continue is not modelled
    const slot = slotOfPid(this.#t, pid);
    if (n === 9 || slot === undefined) {
      this.#e.rpc({ call: 'kill', pid, sig: n }); // SIGKILL needs the control plane; ESRCH comes from it
      return;
    }
    if (n !== 0) queueSignal(this.#t, slot, n, Atomics.load(this.#t.i32, this.#s + TASK.TGID)); // si_pid: our tgid
    if (slot === this.#slot) this.#e.enter();
  }

  /** Install a handler, 'SIG_IGN' or 'SIG_DFL' for a signal. SIGKILL and SIGSTOP cannot be caught (EINVAL). */
  sigaction(sig: number | string, action: SignalHandler | 'SIG_IGN' | 'SIG_DFL'): void {
    this.#sig.sigaction(sig, action);
    this.#e.enter();
  }

  /** Start a thread (`thread: true`, CLONE_THREAD) or a new process. Returns the child's tid. */
  clone(opts: CloneOptions = {}): number {
    const moduleUrl = opts.module === undefined ? this.#moduleUrl : moduleUrlOf(opts.module);
    const sig = this.#sig.inheritable(); // fork and threads start with our SIG_IGN set and mask (handlers cannot cross workers)
    return this.#e.rpc({ call: 'clone', thread: opts.thread === true, moduleUrl, arg: opts.arg, clearSighand: opts.clearSighand === true, sig }) as number; // perf: clearSighand
  }

  /**
   * Wait for a child process to end and reap it (waitpid(2)): `pid` > 0 that child, -1 any child, 0 any
   * child in this process group (process groups are not modelled: the same as -1). A child is a process
   * any thread of this process cloned without `thread`; each is reaped once. ECHILD when no such child is
   * left (this task, its threads, its parent and siblings are not children). A handled signal ends the
   * wait with EINTR; a fatal one ends the task. Threads are joined with {@link pthread_join}.
   */
  waitpid(pid: number): WaitStatus {
    return this.#e.rpc({ call: 'wait4', pid }, true) as WaitStatus;
  }

  /** Wait for thread `tid` of this process to end (pthread_join(3)). ESRCH: not a thread of this process; EDEADLK: itself; EINVAL: joined already. */
  pthread_join(tid: number): JoinStatus {
    return this.#e.rpc({ call: 'pthread_join', tid }) as JoinStatus;
  }

  /**
   * Replace this task's program (execve(2)); does not return. Caught signals reset to SIG_DFL; SIG_IGN and
   * the blocked mask stay. ENOENT: no such module; ENOEXEC: it does not load or has no default export
   * function. Both fail before anything is dropped, so the caller goes on with its state.
   */
  exec(module: string | URL, arg?: unknown): never {
    const url = moduleUrlOf(module);
    this.#e.enter();
    const main = loadProgram(url); // before the point of no return: ENOEXEC leaves every state in place
    this.#e.rpc({ call: 'exec', moduleUrl: url }); // the commit (control plane: comm, uintr state)
    this.#sig.reset();
    this.#perf.exec(); // perf: remove_on_exec events of this task go, CLOEXEC perf fds close, memory resets
    this.#uintr.reset(); // uintr: nothing survives exec
    this.#moduleUrl = url;
    throw new TaskExecRequest(url, arg, main);
  }

  /**
   * End this thread with `code` (exit(2), not exit_group); does not return. The other threads of the
   * process go on; the last one's end ends the process. Returning from the leader's main, a crash or a
   * fatal signal in any thread ends every thread instead (exit_group).
   */
  exit(code = 0): never {
    throw new TaskExitRequest(code);
  }

  /** perf_event_open(2): a breakpoint or software event on task `pid` (0 = this one). Returns a perf fd. */ // perf
  perf_event_open(attr: PerfEventAttr, pid = 0, cpu = -1, group_fd = -1, flags = 0): PerfFd {
    this.#e.enter();
    return this.#perf.open(attr, pid, cpu, group_fd, flags);
  }

  /** ioctl(2) on a perf fd: PERF_EVENT_IOC_ENABLE, DISABLE, RESET, REFRESH, PERIOD, MODIFY_ATTRIBUTES (numbers or names). */ // perf
  ioctl(fd: number, request: number | string, arg: unknown = 0): number {
    if (!this.#perf.owns(fd)) return this.#e.rpc({ call: 'ioctl', fd, request: String(request) }) as number; // EBADF or ENOTTY, from the fd table
    this.#e.enter();
    return this.#perf.ioctl(fd, request, arg);
  }

  /** sigprocmask(2): block, unblock or set blocked signals; returns the old set. SIGKILL and SIGSTOP stay unblocked. */ // perf
  sigprocmask(how: SigprocmaskHow, set: ReadonlyArray<number | string>): number[] {
    const old = this.#sig.sigprocmask(how, set);
    this.#e.enter(); // newly unblocked pending signals are delivered now
    return old;
  }

  /** The largest CPU id this kernel supports plus one (for mask sizes). */
  get nr_cpu_ids(): number {
    return Math.min(this.#k.cpus, MAX_CPUS);
  }
}
