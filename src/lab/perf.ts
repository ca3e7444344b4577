// The control plane's perf: allocates the lab-wide perf region and every process's address space,
// inherits events at clone (kernel/fork.c copy_process → perf_event_init_task), folds them at exit
// (perf_event_exit_task), closes a process's perf fds when its last thread ends, and bumps the
// software counters the scheduler feeds. Control plane (main thread) only; it shares the perf lock
// with the task workers.
import { kerr } from '../errno.js';
import { TASK, slotOfPid, type TaskShm } from '../kernel/task-layout.js';
import {
  CONTROL_PLANE, PerfTable, TP, allocateMm, allocatePerf, copyMm, exitTaskEvents, freshTask, holdEvent, inheritEvents, mmFds,
  releaseEvent, MM_DEFAULT_BYTES, type MmShm, type PerfBoot, type PerfShm,
} from '../perf/index.js';
import { registerPerfSigtrapEvent } from '../tracers/perf-sigtrap-event.js';

/** Options of the lab's perf. */
export interface LabPerfOptions {
  readonly tasks: TaskShm;
  /** Events in the whole lab (struct perf_event records). @default 1024 */
  readonly maxEvents?: number;
  /** Heap bytes of each process's address space. @default 1 MiB */
  readonly memBytes?: number;
}

/** How a task starts, as the process manager tells perf. */
export interface PerfStart {
  readonly pid: number;
  readonly slot: number;
  readonly tgid: number;
  /** The cloning task; absent for lab.spawn(). */
  readonly parent?: { readonly pid: number; readonly slot: number; readonly tgid: number };
  /** CLONE_THREAD. */
  readonly thread: boolean;
  /** CLONE_CLEAR_SIGHAND. */
  readonly clearSighand: boolean;
}

/** Software counters the lab's scheduler can bump. */
export type PerfSwCounter = 'context-switches';

interface Proc {
  readonly mm: MmShm;
  members: number;
}

/** The lab's perf events and task memory. */
export class LabPerf {
  readonly shm: PerfShm;
  readonly table: PerfTable;
  readonly #memBytes: number;
  readonly #procs = new Map<number, Proc>();
  readonly #tasks = new Map<number, { slot: number; tgid: number }>();

  constructor(opts: LabPerfOptions) {
    const maxEvents = opts.maxEvents ?? 1024;
    if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > 65536) throw kerr('EINVAL', 'boot', undefined, `perf maxEvents must be 1..65536, got ${String(maxEvents)}`);
    this.#memBytes = opts.memBytes ?? MM_DEFAULT_BYTES;
    allocateMm(this.#memBytes); // validates memBytes once, at boot
    this.shm = allocatePerf(opts.tasks.maxTasks, maxEvents);
    const t = opts.tasks;
    this.table = new PerfTable(this.shm, CONTROL_PLANE, (tid) => slotOfPid(t, tid) !== undefined, {
      migrations: (slot) => Atomics.load(t.i32, t.slotBase(slot) + TASK.MIGRATIONS),
    });
    registerPerfSigtrapEvent();
  }

  /**
   * A task is about to start (before its slot is published): inherit the parent's events, give it
   * its process's address space (shared by a thread, copied by fork, fresh for spawn). Throws the
   * inheritance error (ENOSPC, EMFILE, ENOMEM) with nothing left behind, so clone fails.
   */
  onStart(s: PerfStart): PerfBoot {
    const parentProc = s.parent === undefined ? undefined : this.#procs.get(s.parent.tgid);
    if (s.parent !== undefined) inheritEvents(this.table, s.parent.slot, s.slot, s.pid, { thread: s.thread, clearSighand: s.clearSighand });
    else freshTask(this.table, s.slot, s.pid);
    let proc: Proc;
    if (s.thread && parentProc !== undefined) {
      proc = parentProc;
      proc.members++;
    } else {
      const mm = parentProc === undefined ? allocateMm(this.#memBytes) : copyMm(parentProc.mm);
      for (const f of mmFds(mm)) holdEvent(this.table, f.event); // the copied fd table holds the same events
      proc = { mm, members: 1 };
      this.#procs.set(s.tgid, proc);
    }
    this.#tasks.set(s.pid, { slot: s.slot, tgid: s.tgid });
    return { sab: this.shm.views.sab, mm: proc.mm.views.sab };
  }

  /** A task ended: its events detach (children fold into parents); the last thread closes the process's perf fds. */
  onExit(pid: number): void {
    const t = this.#tasks.get(pid);
    if (t === undefined) return;
    this.#tasks.delete(pid);
    exitTaskEvents(this.table, t.slot);
    const proc = this.#procs.get(t.tgid);
    if (proc === undefined || --proc.members > 0) return;
    this.#procs.delete(t.tgid);
    for (const f of mmFds(proc.mm)) {
      if (Atomics.compareExchange(proc.mm.i32, proc.mm.fdIndex + f.index, f.event + 1, 0) === f.event + 1) releaseEvent(this.table, f.event); // RMW only
    }
  }

  /** Count `n` software events of `what` for task `pid` (the scheduler's feed). ESRCH for an unknown task. */
  bump(pid: number, what: PerfSwCounter, n = 1): void {
    const t = this.#tasks.get(pid);
    if (t === undefined) throw kerr('ESRCH', 'perf_bump', undefined, `no task with pid ${pid}`);
    if (what !== 'context-switches') throw kerr('EINVAL', 'perf_bump', undefined, `unknown counter ${String(what)}; cpu-migrations come from lab.migrate(), task-clock from the clock`);
    Atomics.add(this.shm.i32, this.shm.taskBase(t.slot) + TP.CTXSW, n); // RMW only
  }

  /** Live processes with an address space (for tests and leak checks). */
  get processes(): number {
    return this.#procs.size;
  }

  /** Events in use in the whole lab (for tests and leak checks). */
  eventsInUse(): number {
    let n = 0;
    for (let e = 0; e < this.shm.maxEvents; e++) if (this.table.get32(e, 0) !== 0) n++;
    return n;
  }
}
