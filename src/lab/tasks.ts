// The control plane's process manager (kernel/fork.c, kernel/exit.c, kernel/signal.c, reduced):
// spawning user tasks on the task pool over the shared process table (task-slots.ts), SIGKILL (a
// real worker termination), exit collection, migration with the sched_migrate_task hook, and the
// port that carries tasks' control-plane syscalls (served by task-syscalls.ts). Control plane only.
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { createActor } from 'xstate';
import { KernelError, kerr, unknownMessage, type KernelErrorInit } from '../errno.js';
import { kick } from '../shm/wait.js';
import type { KernelShm } from '../kernel/layout.js';
import { TASK, TaskFlag, TaskState, readAffinity, writeAffinity, type TaskShm } from '../kernel/task-layout.js';
import { queueSignal, refuseJobControl, signalNumber } from '../kernel/signal.js';
import { moduleUrlOf } from '../kernel/module-url.js';
import { taskMachine } from '../../machines/task.js';
import type { SigInherit, TaskBoot, TaskExit, TaskMessage, TaskRpcReply } from './protocol.js';
import { getFile, putFile, type OpenFile, type Tracefs } from '../tracefs/tree.js';
import { checkModule, commOf, type ExitStatus, type MigrateEvent, type SpawnOptions, type Task, type TaskRecord } from './task-record.js';
import { serveSyscall, type SyscallHost } from './task-syscalls.js';
import { PidAllocator, allCpus, checkCpus, publishSlot, releaseSlot, schedStateOf } from './task-slots.js';
import { ThreadGroup } from './thread-group.js';
import { LabUintr } from './uintr.js'; // uintr
import type { LabPerf } from './perf.js'; // perf

export type { ExitStatus, MigrateEvent, SpawnOptions, Task };


/** Hooks the lab gives the process manager. */
export interface TaskHooks {
  /** Shared regions every task gets at boot. */
  shared(): Pick<TaskBoot, 'ring' | 'ringGen' | 'timerlatSab' | 'timerSlackNs'>;
  onMigrate(ev: MigrateEvent): void;
  onExit(task: Task, status: ExitStatus): void;
  /** The lab's user interrupts. @default a table of its own, enabled */ // uintr
  readonly uintr?: LabUintr; // uintr
  /** The lab's perf events and task memory. @default none: perf_event_open is ENOSYS, ctx.mem is private */ // perf
  readonly perf?: LabPerf; // perf
}

/** How long a task SIGKILLed before its worker started gets to notice before its worker is terminated. */
const EARLY_KILL_GRACE_MS = 5000;
/** Ended tasks kept for waitpid() and lookups, oldest dropped first (bounds control-plane memory). */
const ZOMBIES_KEPT = 1024;

/** The user tasks of one lab. */
export class TaskSet {
  readonly #k: KernelShm;
  readonly #t: TaskShm;
  readonly #pool: Piscina;
  readonly #hooks: TaskHooks;
  readonly #live = new Map<number, TaskRecord>();
  readonly #all = new Map<number, TaskRecord>();
  readonly #zombies: number[] = [];
  readonly #uintr: LabUintr; // uintr
  readonly #host: SyscallHost;
  readonly #pids: PidAllocator;
  #closed = false;

  constructor(k: KernelShm, t: TaskShm, pool: Piscina, fs: Tracefs, hooks: TaskHooks) {
    this.#k = k;
    this.#t = t;
    this.#pool = pool;
    this.#hooks = hooks;
    this.#pids = new PidAllocator(t);
    this.#uintr = hooks.uintr ?? new LabUintr({ maxTasks: t.maxTasks }); // uintr
    this.#uintr.bind((pid) => this.#live.get(pid)); // uintr
    this.#host = {
      fs,
      t,
      uintr: this.#uintr, // uintr
      task: (pid) => this.#all.get(pid),
      tasks: () => this.#all.values(),
      kill: (pid, sig) => this.kill(pid, sig),
      setAffinity: (pid, cpus) => this.setAffinity(pid, cpus),
      start: (url, affinity, arg, comm, tgid, parent, clearSighand, sig) => this.#start(url, affinity, arg, comm, tgid, parent, clearSighand, sig),
      shared: () => {
        const { ring, ringGen } = hooks.shared();
        return { ring, ringGen };
      },
    };
  }

  /** The user-interrupt control plane of these tasks. */ // uintr
  get uintr(): LabUintr {
    return this.#uintr;
  }

  /** Tasks that have not ended yet. */
  get live(): Task[] {
    return [...this.#live.values()];
  }

  /** A task by pid (live or ended), or undefined. */
  get(pid: number): Task | undefined {
    return this.#all.get(pid);
  }

  /** Affinity of a live task, or undefined. */
  affinityOf(pid: number): number[] | undefined {
    const r = this.#live.get(pid);
    return r === undefined ? undefined : readAffinity(this.#t, r.slot);
  }

  /** Scheduler state from the process table: 'blocked' while the task sleeps in a syscall. */
  schedState(pid: number): 'created' | 'running' | 'blocked' | 'gone' {
    const r = this.#live.get(pid);
    return r === undefined ? 'gone' : schedStateOf(this.#t, r.slot);
  }

  /** Current CPU of a live task, or undefined. */
  tryCpuOf(pid: number): number | undefined {
    const r = this.#live.get(pid);
    return r === undefined ? undefined : Atomics.load(this.#t.i32, this.#t.slotBase(r.slot) + TASK.CPU);
  }

  /** Current CPU of a live task. */
  cpuOf(pid: number): number {
    const r = this.#record(pid, 'sched_getcpu');
    return Atomics.load(this.#t.i32, this.#t.slotBase(r.slot) + TASK.CPU);
  }

  /** Start `module`'s `main(ctx, arg)` as a new process. */
  async spawn(module: string | URL, opts: SpawnOptions = {}): Promise<Task> {
    const url = moduleUrlOf(module);
    const affinity = opts.affinity === undefined ? allCpus(this.#k.cpus) : this.#checkCpus(opts.affinity, 'spawn');
    checkCloneable(opts.arg);
    return this.#start(url, affinity, opts.arg, opts.comm, undefined, undefined, false);
  }

  /** Send a signal; SIGKILL terminates the task's worker. Unknown pid: ESRCH. */
  kill(pid: number, sig: number | string): void {
    const n = signalNumber(sig);
    if (n === undefined) throw kerr('EINVAL', 'kill', undefined, `unknown signal ${String(sig)}`);
    refuseJobControl(n);
    const r = this.#live.get(pid);
    if (r === undefined) throw kerr('ESRCH', 'kill', undefined, `no task with pid ${pid}`);
    if (n === 0) return;
    if (n !== 9) {
      queueSignal(this.#t, r.slot, n);
      return;
    }
    // SIGKILL to any thread kills the whole thread group (a fatal signal is process-wide).
    r.group.status ??= { signal: 'SIGKILL' };
    for (const m of this.#members(r.group)) this.#sigkill(m);
  }

  // Cancel every wait of task `r` and terminate its worker (SIGKILL, or a member of a group that exits).
  #sigkill(r: TaskRecord): void {
    const s = this.#t.slotBase(r.slot);
    Atomics.or(this.#t.i32, s + TASK.FLAGS, TaskFlag.KILLED); // RMW only: cancels every wait of the task
    kick(this.#t.i32, s + TASK.WAKE);
    this.#uintr.onKill(r.pid); // uintr: also cancel a uintr_wait on its UPID (tasks outside the lab's WAKE protocol)
    // A worker still loading its actor must not be terminated (V8 can abort the whole process):
    // claim the slot before the runtime starts, and the runtime exits at once when it sees KILLED.
    if (Atomics.compareExchange(this.#t.i32, s + TASK.STATE, TaskState.CREATED, TaskState.KILLED) === TaskState.CREATED) {
      setTimeout(() => r.abort.abort(), EARLY_KILL_GRACE_MS).unref(); // a worker that never starts is still ended
      return;
    }
    r.abort.abort(); // piscina terminates the worker, blocked or spinning
  }

  // The live members of a thread group.
  #members(g: ThreadGroup): TaskRecord[] {
    return [...this.#live.values()].filter((m) => m.group === g && !m.settled);
  }

  /** Change a task's affinity; migrate it when its CPU is no longer allowed. */
  setAffinity(pid: number, cpus: readonly number[]): void {
    const r = this.#record(pid, 'sched_setaffinity');
    const mask = this.#checkCpus(cpus, 'sched_setaffinity');
    writeAffinity(this.#t, r.slot, mask);
    const cur = Atomics.load(this.#t.i32, this.#t.slotBase(r.slot) + TASK.CPU);
    if (!mask.includes(cur)) this.migrate(pid, mask[0]!);
  }

  /** Move a task to `cpu` (an injected migration when `cpu` is outside its mask is refused: EINVAL). */
  migrate(pid: number, cpu: number): void {
    const r = this.#record(pid, 'migrate');
    const s = this.#t.slotBase(r.slot);
    if (!readAffinity(this.#t, r.slot).includes(cpu)) throw kerr('EINVAL', 'migrate', undefined, `cpu ${cpu} is not in pid ${pid}'s affinity`);
    const orig = Atomics.load(this.#t.i32, s + TASK.CPU);
    if (orig === cpu) return;
    Atomics.store(this.#t.i32, s + TASK.CPU, cpu); // publish: sched_getcpu sees the new CPU
    Atomics.add(this.#t.i32, s + TASK.MIGRATIONS, 1); // single writer (control plane)
    this.#hooks.onMigrate({ pid, comm: r.comm, origCpu: orig, destCpu: cpu });
  }

  /** SIGKILL every live task and wait (bounded) for their workers to end. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#closed = true;
    this.#uintr.shutdown(); // uintr: cancel every uintr_wait
    for (const r of this.#live.values()) {
      const s = this.#t.slotBase(r.slot);
      Atomics.or(this.#t.i32, s + TASK.FLAGS, TaskFlag.SHUTDOWN);
      kick(this.#t.i32, s + TASK.WAKE);
      // As in kill(): a worker still loading is not terminated; its runtime exits when it starts.
      if (Atomics.compareExchange(this.#t.i32, s + TASK.STATE, TaskState.CREATED, TaskState.KILLED) === TaskState.CREATED) continue;
      r.abort.abort();
    }
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all([...this.#live.values()].map((r) => r.exited));
    await Promise.race([all, new Promise((res) => (timer = setTimeout(res, timeoutMs)))]);
    clearTimeout(timer);
  }

  async #start(url: string, affinity: number[], arg: unknown, comm: string | undefined, tgid: number | undefined, parent: TaskRecord | undefined, clearSighand: boolean, sig?: SigInherit): Promise<Task> {
    if (this.#closed) throw kerr('ESHUTDOWN', 'spawn', undefined, 'the lab is shutting down');
    checkModule(url);
    if (tgid !== undefined && parent?.group.exiting === true) throw kerr('EINTR', 'clone', undefined, `process ${tgid} is exiting (exit_group)`); // copy_process: fatal_signal_pending
    const { pid, slot } = this.#pids.alloc((p) => this.#live.has(p));
    const perf = this.#hooks.perf?.onStart({ pid, slot, tgid: tgid ?? pid, parent: parent && { pid: parent.pid, slot: parent.slot, tgid: parent.tgid }, thread: tgid !== undefined, clearSighand }); // perf: inherit (may throw) before the slot is published
    const name = comm ?? commOf(url);
    const parentCpu = parent === undefined ? -1 : Atomics.load(this.#t.i32, this.#t.slotBase(parent.slot) + TASK.CPU);
    publishSlot(this.#t, slot, { pid, tgid: tgid ?? pid, comm: name, affinity, cpu: affinity.includes(parentCpu) ? parentCpu : affinity[0]! });

    const { port1, port2 } = new MessageChannel();
    let resolveExit!: (st: ExitStatus) => void;
    const threadExited = new Promise<ExitStatus>((res) => (resolveExit = res));
    const group = tgid !== undefined && parent !== undefined ? parent.group : new ThreadGroup(pid);
    group.join();
    const actor = createActor(taskMachine, { input: { pid, tgid: tgid ?? pid, comm: name } }).start();
    // CLONE_THREAD shares the table; fork copies it, each entry taking a reference to the same open file.
    const fds = tgid !== undefined && parent !== undefined ? parent.fds : new Map<number, OpenFile>([...(parent?.fds ?? [])].map(([n, f]) => [n, getFile(f)]));
    const rec: TaskRecord = {
      pid,
      tgid: tgid ?? pid,
      comm: name,
      exited: group.tgid === pid ? group.exited : threadExited, // a leader's ends with its group
      threadExited,
      group,
      error: undefined,
      get state() {
        return actor.getSnapshot().value as Task['state'];
      },
      slot,
      moduleUrl: url,
      actor,
      abort: new AbortController(),
      port: port1,
      fds,
      resolveExit,
      settled: false,
      inflight: new Map(),
      parentTgid: parent === undefined ? 0 : tgid !== undefined ? parent.parentTgid : parent.tgid, // a thread's parent is its group's
      reaped: false,
    };
    this.#live.set(pid, rec);
    this.#all.set(pid, rec);
    port1.on('message', (m: TaskMessage) => void this.#onMessage(rec, m));
    port1.unref();
    const boot: TaskBoot = { type: 'task.boot', slot, pid, tgid: rec.tgid, moduleUrl: url, arg, kernelSab: this.#k.views.sab, tasksSab: this.#t.views.sab, ...this.#hooks.shared(), port: port2, uintr: this.#uintr.boot(), perf, ...(sig === undefined ? {} : { sig }) }; // uintr, perf: boot payload; sig: inherited SIG_IGN set and mask
    actor.send({ type: 'task.started' });
    this.#pool.run(boot, { transferList: [port2], signal: rec.abort.signal }).then(
      (exit: TaskExit) => this.#ended(rec, exit),
      (err: unknown) => this.#ended(rec, rec.abort.signal.aborted ? { type: 'task.signalled', signal: 'SIGKILL' } : { type: 'task.crashed', code: 1, error: String(err instanceof Error ? (err.stack ?? err.message) : err) }),
    );
    return rec;
  }

  #ended(r: TaskRecord, exit: TaskExit): void {
    if (r.settled) return;
    r.settled = true;
    const g = r.group;
    if (exit.type === 'task.crashed') r.error = exit.error;
    let own: ExitStatus = exit.type === 'task.signalled' ? { signal: exit.signal } : { code: exit.code };
    // exit_group: a return from main, a crash or a fatal signal in any thread ends every thread of the
    // group; exit(2) ends this thread alone. Once the group exits, each member ends with its status.
    if (g.status === undefined && !(exit.type === 'task.exit' && !exit.group)) {
      g.status = own;
      for (const m of this.#members(g)) this.#sigkill(m);
    }
    if (g.status !== undefined) own = g.status;
    r.actor.send('code' in own ? { type: 'task.exited', code: own.code } : own.signal === 'SIGKILL' ? { type: 'task.killed' } : { type: 'task.signalled', signal: own.signal });
    for (const ac of r.inflight.values()) ac.abort(); // a dead task's pending wait4 must not reap, nor its read consume
    releaseSlot(this.#t, r.slot, 'signal' in own && own.signal === 'SIGKILL');
    this.#uintr.onExit(r.pid); // uintr: UPID dies, UITT freed
    r.port.close();
    r.actor.stop();
    this.#live.delete(r.pid);
    const last = this.#members(g).length === 0;
    if (last) {
      // The group's fd table goes with its last member, not with the leader (threads share it).
      for (const f of r.fds.values()) safeClose(f);
      r.fds.clear(); // each reference is dropped once
      // The process's last thread is gone: its children go to the lab (init), which reaps them.
      for (const c of this.#all.values()) if (c.parentTgid === r.tgid) c.parentTgid = 0;
    }
    this.#zombies.push(r.pid);
    if (this.#zombies.length > ZOMBIES_KEPT) this.#all.delete(this.#zombies.shift()!);
    this.#hooks.onExit(r, own);
    r.resolveExit(own);
    g.leave(r.pid, own); // the last member resolves the leader's `exited` with the process's status
  }

  async #onMessage(r: TaskRecord, m: TaskMessage): Promise<void> {
    if (m.type === 'rpc.cancel') {
      r.inflight.get(m.seq)?.abort(); // a call that already answered is not in the map: its reply stands
      return;
    }
    if (m.type !== 'rpc') unknownMessage('task port', m);
    let reply: TaskRpcReply;
    const ac = new AbortController();
    r.inflight.set(m.seq, ac); // before the first await: a cancel behind this message on the port finds it
    try {
      reply = { type: 'rpc.reply', seq: m.seq, ok: true, value: await serveSyscall(this.#host, r, m.req, ac.signal) };
    } catch (e) {
      const error: KernelErrorInit = e instanceof KernelError ? e.toJSON() : { code: 'EIO', syscall: m.req.call, detail: String(e) };
      reply = { type: 'rpc.reply', seq: m.seq, ok: false, error };
    } finally {
      r.inflight.delete(m.seq);
    }
    if (r.settled) return;
    r.port.postMessage(reply);
    kick(this.#t.i32, this.#t.slotBase(r.slot) + TASK.WAKE); // publish: the reply is queued on the port first
  }

  #record(pid: number, syscall: string): TaskRecord {
    const r = this.#live.get(pid);
    if (r === undefined) throw kerr('ESRCH', syscall, undefined, `no task with pid ${pid}`);
    return r;
  }

  #checkCpus(cpus: readonly number[], syscall: string): number[] {
    return checkCpus(cpus, this.#k.cpus, syscall);
  }
}

// Drop the table's reference (the file is released when it was the last one).
function safeClose(f: OpenFile): void {
  try {
    putFile(f);
  } catch {
    /* a file that fails to close must not stop the exit path */
  }
}

// The arg crosses to the task's worker by structured clone: refuse what cannot (functions, symbols,
// class instances' methods…) before any worker starts, not as a DataCloneError inside the task.
function checkCloneable(arg: unknown): void {
  if (arg === undefined) return;
  try {
    structuredClone(arg);
  } catch (err) {
    const e = kerr('EINVAL', 'spawn', 'arg', `arg must survive structured clone (no functions or symbols): ${err instanceof Error ? err.message : String(err)}`);
    e.cause = err;
    throw e;
  }
}
