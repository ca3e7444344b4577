// The perf syscalls of a user task and its ctx.mem (kernel/events/core.c: sys_perf_event_open,
// perf_read, perf_ioctl, perf_release, perf_event_exec; the overflow path perf_bp_event →
// __perf_event_overflow → perf_sigtrap → send_sig_perf). Runs in the task's own worker. A hit is
// handled in the accessing thread itself, so SIGTRAP goes to exactly that thread, before the
// access returns. Perf fds live in the process's mm (shared by its threads, copied by fork).
import { kerr } from '../errno.js';
import {
  PERF_FDS, PERF_FD_BASE, PERF_FLAG, PERF_FLAG_ALL, SIGTRAP, TRAP_PERF, TRAP_PERF_FLAG_ASYNC, type PerfEventAttr, type PerfFd,
} from '../perf/abi.js';
import { AttrFlag, checkAttr } from '../perf/attr.js';
import type { PerfBoot } from '../perf/boot.js';
import { releaseEvent, perfIoctl } from '../perf/ioctl.js';
import { EV, EV64, TP, attachPerf } from '../perf/layout.js';
import { execTaskEvents, openEvent } from '../perf/lifecycle.js';
import { allocateMm, attachMm, mmFds, type MmShm } from '../perf/mm.js';
import { PerfTable, type BpEntry } from '../perf/table.js';
import { TASK, slotOfPid, type TaskShm } from '../kernel/task-layout.js';
import type { KernelShm } from '../kernel/layout.js';
import type { SigInfo } from '../kernel/signal.js';
import type { RingBuffer } from '../ringbuf/index.js';
import { writePerfSigtrap } from '../tracers/perf-sigtrap-event.js';
import { TaskMem } from './mem.js';

/**
 * How ctx delivers a signal to its own task: 'send' (send_sig_info: blocked → queued with its info,
 * ignored → dropped, handler → run now), 'force' (force_sig_fault: blocked, ignored or default →
 * the task dies; handler → run now) or 'kill' (the task dies with it, whatever its action).
 */
export type RaiseHow = 'send' | 'force' | 'kill';

/** What the task context gives its perf side. */
export interface TaskPerfDeps {
  readonly k: KernelShm;
  readonly t: TaskShm;
  readonly slot: number;
  /** The perf part of the boot payload; absent when the lab has no perf (perf_event_open is ENOSYS). */
  readonly boot: PerfBoot | undefined;
  readonly ring: () => RingBuffer;
  /** Deliver `sig` to this task now: run its action before returning, or queue it when blocked ('send'). */
  raise(sig: number, info: SigInfo, how: RaiseHow): void;
}

const SIGTRAP_BIT = 1 << (SIGTRAP - 1);
const NO_BPS: readonly BpEntry[] = [];

/** The perf side of one task context. */
export class TaskPerf {
  /** ctx.mem. */
  readonly mem: TaskMem;
  readonly #d: TaskPerfDeps;
  readonly #table: PerfTable | undefined;
  readonly #mm: MmShm;
  readonly #s: number;
  #gen = -1;
  #bps: readonly BpEntry[] = NO_BPS;

  constructor(d: TaskPerfDeps) {
    this.#d = d;
    this.#s = d.t.slotBase(d.slot);
    const t = d.t;
    if (d.boot !== undefined) {
      const shm = attachPerf(d.boot.sab);
      this.#table = new PerfTable(shm, this.#tid(), (tid) => slotOfPid(t, tid) !== undefined, { migrations: (slot) => Atomics.load(t.i32, t.slotBase(slot) + TASK.MIGRATIONS) });
      this.#mm = attachMm(d.boot.mm);
      // WLO and WHI are adjacent words (layout.ts): one length-2 view, read at constant indices.
      this.mem = new TaskMem(this.#mm, new Int32Array(shm.views.sab, (shm.taskBase(d.slot) + TP.WLO) * 4, 2), this.#memHooks());
    } else {
      this.#table = undefined;
      this.#mm = allocateMm();
      this.mem = new TaskMem(this.#mm, new Int32Array(2), this.#memHooks());
    }
  }

  /** True for fds in the perf range (routed here by ctx.read/close/ioctl). */
  owns(fd: number): boolean {
    return Number.isInteger(fd) && fd >= PERF_FD_BASE && fd < PERF_FD_BASE + PERF_FDS;
  }

  /** perf_event_open(attr, pid, cpu, group_fd, flags). */
  open(attr: PerfEventAttr, pid: number, cpu: number, groupFd: number, flags: number): PerfFd {
    const table = this.#table;
    if (table === undefined) throw kerr('ENOSYS', 'perf_event_open', undefined, 'this lab was booted without perf');
    if (!Number.isInteger(flags) || (flags & ~PERF_FLAG_ALL) !== 0) throw kerr('EINVAL', 'perf_event_open', undefined, `unknown flags 0x${(flags >>> 0).toString(16)}`);
    const v = checkAttr(attr);
    if ((flags & PERF_FLAG.PID_CGROUP) !== 0) {
      if (pid === -1 || cpu === -1) throw kerr('EINVAL', 'perf_event_open', undefined, 'PERF_FLAG_PID_CGROUP needs a cgroup fd and a cpu');
      throw kerr('EBADF', 'perf_event_open', undefined, `${pid} is not a cgroup directory fd (the lab has no cgroupfs)`);
    }
    if (groupFd !== -1) {
      if (!this.owns(groupFd) || this.#fdEvent(groupFd) < 0) throw kerr('EBADF', 'perf_event_open', undefined, `group_fd ${groupFd} is not a perf fd`);
      throw kerr('EOPNOTSUPP', 'perf_event_open', undefined, 'event groups are not modelled; open each event with group_fd -1');
    }
    if (!Number.isInteger(pid) || pid < -1) throw kerr('ESRCH', 'perf_event_open', undefined, `no task with pid ${String(pid)}`);
    const tid = pid === 0 ? this.#tid() : pid;
    const slot = pid === -1 ? undefined : slotOfPid(this.#d.t, tid);
    if (pid !== -1 && slot === undefined) throw kerr('ESRCH', 'perf_event_open', undefined, `no task with pid ${pid}`);
    const ncpus = this.#d.k.cpus;
    if (!Number.isInteger(cpu) || cpu < -1 || cpu >= ncpus || (cpu === -1 && slot === undefined)) {
      throw kerr('EINVAL', 'perf_event_open', undefined, `cpu must be -1 (any, with a task) or 0..${ncpus - 1}, got ${String(cpu)}`);
    }
    if ((v.flags & AttrFlag.SIGTRAP) !== 0 && slot === undefined) throw kerr('EINVAL', 'perf_event_open', undefined, 'sigtrap needs a task (pid -1 would signal random tasks)');
    if (slot === undefined) throw kerr('EACCES', 'perf_event_open', undefined, 'CPU-wide events need CAP_PERFMON at perf_event_paranoid 2');
    const index = this.#freeFd();
    try {
      const e = openEvent(table, v, tid, slot, cpu);
      Atomics.store(this.#mm.i32, this.#mm.fdFlagsIndex + index, (flags & PERF_FLAG.FD_CLOEXEC) !== 0 ? 1 : 0);
      Atomics.store(this.#mm.i32, this.#mm.fdIndex + index, e + 1); // publish: the fd refers to a complete event
      return (PERF_FD_BASE + index) as PerfFd;
    } catch (err) {
      Atomics.store(this.#mm.i32, this.#mm.fdIndex + index, 0); // give the reserved fd back
      throw err;
    }
  }

  /** read(fd): the event's count, its children's included. */
  read(fd: number): number {
    return this.#table!.read(this.#event(fd, 'read'));
  }

  /** ioctl(fd, request, arg) on a perf-range fd (ctx sends other fds to the control plane). */
  ioctl(fd: number, request: number | string, arg: unknown): number {
    return perfIoctl(this.#table!, this.#event(fd, 'ioctl'), request, arg);
  }

  /** write(fd): EBADF when not open; a perf fd has no write op, so EINVAL (vfs_write without FMODE_CAN_WRITE). */
  write(fd: number): never {
    this.#event(fd, 'write');
    throw kerr('EINVAL', 'write', undefined, `fd ${fd} is a perf fd, which cannot be written`);
  }

  /** close(fd). */
  close(fd: number): void {
    const i = fd - PERF_FD_BASE;
    const v = Atomics.exchange(this.#mm.i32, this.#mm.fdIndex + i, 0); // RMW only: one closer wins
    if (v === -1) Atomics.store(this.#mm.i32, this.#mm.fdIndex + i, -1); // an open in flight keeps its reservation
    if (v <= 0) throw kerr('EBADF', 'close', undefined, `fd ${fd} is not open`);
    releaseEvent(this.#table!, v - 1);
  }

  /** exec(): remove_on_exec events of this task go, CLOEXEC perf fds close, memory resets. */
  exec(): void {
    if (this.#table !== undefined) execTaskEvents(this.#table, this.#d.slot);
    for (const f of mmFds(this.#mm)) if (f.cloexec) this.close(PERF_FD_BASE + f.index);
    this.mem.reset();
  }

  /** A voluntary context switch of this task (it blocked): feeds the context-switches event. */
  contextSwitch(): void {
    const table = this.#table;
    if (table !== undefined) Atomics.add(table.shm.i32, table.shm.taskBase(this.#d.slot) + TP.CTXSW, 1); // RMW only
  }

  #tid(): number {
    return Atomics.load(this.#d.t.i32, this.#s + TASK.PID);
  }

  #fdEvent(fd: number): number {
    return Atomics.load(this.#mm.i32, this.#mm.fdIndex + (fd - PERF_FD_BASE)) - 1; // acquire: the opener's publish
  }

  #event(fd: number, syscall: string): number {
    const e = this.owns(fd) ? this.#fdEvent(fd) : -1;
    if (e < 0) throw kerr('EBADF', syscall, undefined, `fd ${fd} is not an open perf fd`);
    return e;
  }

  // get_unused_fd_flags: the lowest free perf fd, reserved with a placeholder until installed.
  #freeFd(): number {
    for (let i = 0; i < PERF_FDS; i++) {
      if (Atomics.compareExchange(this.#mm.i32, this.#mm.fdIndex + i, 0, -1) === 0) return i; // RMW only: threads open concurrently
    }
    throw kerr('EMFILE', 'perf_event_open', undefined, `all ${PERF_FDS} perf fds of this process are open`);
  }

  #memHooks() {
    return {
      watch: (addr: number, size: number, kind: number) => this.#watch(addr, size, kind),
      fault: (sig: number, code: number, addr: number, fatal: boolean) => {
        // The CPU re-executes a faulting access after the handler returns; the lab kills on the
        // second fault instead of looping forever.
        this.#d.raise(sig, { si_signo: sig, si_code: code, si_errno: 0, si_pid: 0, si_addr: addr }, fatal ? 'kill' : 'force');
      },
    };
  }

  // This task's enabled breakpoints, re-read under the seqcount when GEN moved.
  #current(): readonly BpEntry[] {
    const table = this.#table;
    if (table === undefined) return NO_BPS;
    const gen = Atomics.load(table.shm.i32, table.shm.taskBase(this.#d.slot) + TP.GEN); // acquire: GEN decides the cache
    if (gen !== this.#gen) {
      const snap = table.snapshot(this.#d.slot);
      this.#gen = snap.gen;
      this.#bps = snap.bps;
    }
    return this.#bps;
  }

  // An access completed while this task had armed breakpoints: count the hits, overflow, trap.
  #watch(addr: number, size: number, kind: number): void {
    const table = this.#table;
    if (table === undefined) return;
    const bps = this.#current();
    for (let i = 0; i < bps.length; i++) {
      const b = bps[i]!;
      if ((b.bpType & kind) === 0 || addr >= b.hi || addr + size <= b.lo) continue;
      if (b.cpu >= 0 && Atomics.load(this.#d.t.i32, this.#s + TASK.CPU) !== b.cpu) continue;
      if (!table.hit(b.e)) continue;
      table.consumeLimit(b.e);
      if ((table.get32(b.e, EV.FLAGS) & AttrFlag.SIGTRAP) !== 0) this.#sigtrap(table, b);
    }
  }

  // perf_sigtrap → send_sig_perf: SIGTRAP to this very thread, si_perf_flags ASYNC when it is blocked.
  #sigtrap(table: PerfTable, b: BpEntry): void {
    const blocked = (Atomics.load(this.#d.t.i32, this.#s + TASK.SIGBLOCKED) & SIGTRAP_BIT) !== 0; // single writer: this task
    const sigData = table.get64(b.e, EV64.SIG_DATA);
    const type = table.get32(b.e, EV.TYPE);
    const flags = blocked ? TRAP_PERF_FLAG_ASYNC : 0;
    const k = this.#d.k;
    if (Atomics.load(k.i32, k.tracingOnIndex) === 1) { // stale-ok: a trap racing tracing_on may be kept or not
      writePerfSigtrap(this.#d.ring(), Atomics.load(this.#d.t.i32, this.#s + TASK.CPU), { pid: this.#tid(), type, addr: b.lo, sigData, flags, event: b.e });
    }
    const info: SigInfo = {
      si_signo: SIGTRAP, si_code: TRAP_PERF, si_errno: 0, si_pid: 0,
      si_addr: b.lo, si_perf_data: sigData, si_perf_type: type, si_perf_flags: flags,
    };
    this.#d.raise(SIGTRAP, info, 'send');
  }
}
