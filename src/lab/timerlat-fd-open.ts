// open() of osnoise/per_cpu/cpuN/timerlat_fd (trace_osnoise.c: timerlat_fd_open/release): the
// upstream checks in their order, the holder word the CPU checks on read, and the fd machine's
// edges. Control plane (main thread); reads go straight from the task to its CPU, never here.
import type { Actor } from 'xstate';
import { kerr } from '../errno.js';
import type { timerlatFdMachine } from '../../machines/timerlat-fd.js';
import { TLC, type TimerlatShm } from '../tracers/timerlat-layout.js';
import type { OpenOps, Opener } from '../tracefs/tree.js';
import type { TimerlatHost } from './timerlat-types.js';

/** What an open needs from lab.timerlat. */
export interface FdOpenContext {
  readonly shm: TimerlatShm;
  readonly host: TimerlatHost;
  /** The CPU's timerlat_fd machine. */
  readonly fd: Actor<typeof timerlatFdMachine>;
  /** current_tracer is timerlat (the workload runs). */
  running(): boolean;
  /** NO_OSNOISE_WORKLOAD is set: the threads are user tasks holding timerlat_fd. */
  userMode(): boolean;
}

/** Open timerlat_fd of `cpu` for `opener`; throws EINVAL, EPERM or EBUSY as upstream does. */
export function openTimerlatFd(c: FdOpenContext, cpu: number, opener: Opener): OpenOps {
  const path = `osnoise/per_cpu/cpu${cpu}/timerlat_fd`;
  const s = c.shm;
  // 1. EINVAL: timerlat is not running, or the workload option is set (no user-space mode).
  if (!c.running() || !c.userMode()) {
    throw kerr('EINVAL', 'open', path, 'needs current_tracer timerlat with NO_OSNOISE_WORKLOAD in osnoise/options');
  }
  // 2. EBUSY: the CPU the caller runs on *now* already has a holder (upstream checks this_cpu, not the file's).
  const here = c.host.cpuOf(opener.pid);
  if (here === undefined) throw kerr('EPERM', 'open', path, 'only a task can hold timerlat_fd');
  if (Atomics.load(s.i32, s.cpuBase(here) + TLC.HOLDER) !== 0) throw kerr('EBUSY', 'open', path, `cpu${here} already has a timerlat_fd holder`);
  // 3. EPERM: the caller must be pinned to exactly this CPU and run on it.
  const aff = c.host.affinityOf(opener.pid) ?? [];
  if (aff.length !== 1 || aff[0] !== cpu || here !== cpu) throw kerr('EPERM', 'open', path, `pin the task to cpu${cpu} alone (sched_setaffinity([${cpu}])) before opening`);
  const cb = s.cpuBase(cpu);
  Atomics.store(s.i32, cb + TLC.DEAD, 0);
  // timerlat_fd_open restarts the CPU's activation count (tlat->count = 0), so the new holder's
  // seqnums start again at #1: the previous holder's "thread sample counted" word could name one of
  // them, and a user-ret whose thread sample a signal skipped would be counted. Cleared here, while
  // no holder can write it (HOLDER is 0: the last one closed, or its worker ended, first).
  s.i32[cb + TLC.THREAD_COUNTED_SEQ] = 0; // plain: published by the HOLDER store below, which the CPU's read loads first
  Atomics.store(s.i32, cb + TLC.HOLDER, opener.pid); // publish: the CPU checks the holder on read
  c.fd.send({ type: 'fd.open', pid: opener.pid, cpu });
  return {
    // Reads never come here: the task's ctx sends them straight to the CPU (NR.timerlat_read).
    read: () => {
      throw kerr('EINVAL', 'read', path, 'timerlat_fd is read through the task syscall interface');
    },
    close: () => {
      if (Atomics.compareExchange(s.i32, cb + TLC.HOLDER, opener.pid, 0) === opener.pid) {
        // After dispose() (lab shutdown) the holder's fds close as its task ends: the machine is gone.
        const fd = c.fd;
        if (fd.getSnapshot().status === 'active') fd.send({ type: 'fd.close' });
        if (c.running()) c.host.cpuSet.post(cpu, { type: 'timerlat.start' }); // resets the CPU's fd state
      }
    },
  };
}
