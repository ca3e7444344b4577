// The control-plane syscalls tasks make over their port (open/read/write/close on tracefs, kill,
// sched_setaffinity, clone, exec, wait4, the current ring, uintr): the dispatcher the process manager
// calls for each RPC. Control plane (main thread) only.
import { kerr, type KernelError } from '../errno.js';
import { readAffinity, writeComm, type TaskShm } from '../kernel/task-layout.js';
import { checkReadSize, openFlags, putFile, type OpenFile, type Tracefs } from '../tracefs/tree.js';
import type { RingBoot, SigInherit, TaskRpcCall } from './protocol.js';
import { checkModule, commOf, type ExitStatus, type Task, type TaskRecord } from './task-record.js';
import type { LabUintr } from './uintr.js'; // uintr

/** What the dispatcher needs from the process manager. */
export interface SyscallHost {
  readonly fs: Tracefs;
  readonly t: TaskShm;
  readonly uintr: LabUintr; // uintr
  /** A task by pid, live or ended. */
  task(pid: number): TaskRecord | undefined;
  /** Every task, live or ended (the ended ones the process manager still keeps). */
  tasks(): Iterable<TaskRecord>;
  kill(pid: number, sig: number | string): void;
  setAffinity(pid: number, cpus: readonly number[]): void;
  /** clone(): start a child of `parent` (a thread when `tgid` is given). */
  start(url: string, affinity: number[], arg: unknown, comm: string, tgid: number | undefined, parent: TaskRecord, clearSighand: boolean, sig: SigInherit | undefined): Promise<Task>;
  /** The ring every task gets, with its generation. */
  shared(): RingBoot;
}

/**
 * Serve one syscall of task `r`; throws a KernelError for the task to rethrow. `signal` aborts when
 * the task withdraws the call (a signal interrupted its sleep) or ends: the sleeping calls (wait4, read)
 * then fail with EINTR at once, with no effect left behind (no child reaped, no data lost).
 */
export async function serveSyscall(host: SyscallHost, r: TaskRecord, req: TaskRpcCall, signal?: AbortSignal): Promise<unknown> {
  switch (req.call) {
    case 'open': {
      const f = await host.fs.open(req.path, openFlags(req.flags, req.path), { pid: r.pid, tgid: r.tgid });
      let fd = 3;
      while (r.fds.has(fd)) fd++;
      r.fds.set(fd, f);
      return fd;
    }
    case 'read': {
      const f = fdOf(r, req.fd, 'read');
      if (f.flags === 'w' || f.ops.read === undefined) throw kerr('EBADF', 'read', f.path, 'not open for reading');
      checkReadSize(req.size, f.path);
      r.actor.send({ type: 'task.blocked', syscall: 'read' }); // Task.state 'blocked' while it waits for data
      try {
        return await readFile(f, req.size, signal);
      } finally {
        if (!r.settled) r.actor.send({ type: 'task.woke' });
      }
    }
    case 'write': {
      const f = fdOf(r, req.fd, 'write');
      if (f.flags === 'r' || f.ops.write === undefined) throw kerr('EBADF', 'write', f.path, 'not open for writing');
      return f.ops.write(req.data);
    }
    case 'close': {
      const f = fdOf(r, req.fd, 'close');
      r.fds.delete(req.fd);
      putFile(f); // the file is released when no other fd table (a fork's copy) still refers to it
      return 0;
    }
    case 'ioctl': {
      // ioctl(2) on a non-perf fd: EBADF when it is not open, else ENOTTY (tracefs files have no ioctls).
      const f = fdOf(r, req.fd, 'ioctl');
      throw kerr('ENOTTY', 'ioctl', f.path, `${req.request} is not an ioctl of this file (only perf fds take ioctls)`);
    }
    case 'kill':
      host.kill(req.pid, req.sig);
      return 0;
    case 'sched_setaffinity':
      host.setAffinity(req.pid, req.cpus);
      return 0;
    case 'clone': {
      const affinity = readAffinity(host.t, r.slot);
      const child = await host.start(req.moduleUrl, affinity, req.arg, r.comm, req.thread ? r.tgid : undefined, r, req.clearSighand === true, req.sig); // perf: clearSighand
      return child.pid;
    }
    case 'exec':
      checkModule(req.moduleUrl);
      host.uintr.onExec(r); // uintr: close-on-exec, handler and UITT dropped
      r.moduleUrl = req.moduleUrl;
      writeComm(host.t, r.slot, commOf(req.moduleUrl));
      return 0;
    case 'wait4':
      return wait4(host, r, req.pid, signal);
    case 'pthread_join':
      return pthreadJoin(host, r, req.tid);
    case 'ring.handle': {
      const { ring, ringGen } = host.shared();
      return { ring, ringGen } satisfies RingBoot;
    }
    case 'uintr': // uintr
      return host.uintr.syscall(r, req.req);
    default:
      throw kerr('ENOSYS', (req as { call: string }).call);
  }
}

/** What wait4 hands out: the reaped child's pid and how it ended. */
export type WaitResult = ExitStatus & { readonly pid: number };

// wait4(2): pid > 0 waits for that child, -1 for any child, 0 for any child in the caller's process
// group (process groups are not modelled: every task is in one group, so 0 is -1), < -1 for a group
// that does not exist (ECHILD). A child is a process (thread-group leader) forked by any thread of the
// caller's process, reaped once. Threads are never children (pthread_join joins them); neither are
// the caller itself, its siblings, nor tasks the lab spawned. ECHILD when nothing matches.
async function wait4(host: SyscallHost, r: TaskRecord, pid: number, signal: AbortSignal | undefined): Promise<WaitResult> {
  if (!Number.isInteger(pid)) throw kerr('EINVAL', 'wait4', undefined, `pid must be an integer, got ${String(pid)}`);
  const wanted = (c: TaskRecord): boolean => c.pid === c.tgid && c.parentTgid === r.tgid && !c.reaped && (pid > 0 ? c.pid === pid : pid === -1 || pid === 0);
  for (;;) {
    const kids = [...host.tasks()].filter(wanted);
    if (kids.length === 0) throw kerr('ECHILD', 'wait4', undefined, pid > 0 ? `pid ${pid} is not an unwaited child of this process` : 'this process has no unwaited children');
    const zombie = kids.find((c) => c.group.ended);
    if (zombie !== undefined) {
      const st = await zombie.exited; // the group ended: already resolved
      if (zombie.reaped) continue; // another thread of this process took it meanwhile
      zombie.reaped = true;
      return { ...st, pid: zombie.pid };
    }
    r.actor.send({ type: 'task.blocked', syscall: 'wait4' });
    try {
      await abortable(Promise.race(kids.map((c) => c.exited)), signal, 'wait4'); // then look again: reaped at most once
    } finally {
      if (!r.settled) r.actor.send({ type: 'task.woke' });
    }
  }
}

// pthread_join(3) (a futex on CLONE_CHILD_CLEARTID in glibc): wait for thread `tid` of the caller's
// thread group to end and return how it did. ESRCH: not a thread of this group; EDEADLK: the caller
// itself; EINVAL: joined already. Not interrupted by signals (glibc restarts the futex wait).
async function pthreadJoin(host: SyscallHost, r: TaskRecord, tid: number): Promise<ExitStatus> {
  const t = host.task(tid);
  if (t === undefined || t.tgid !== r.tgid) throw kerr('ESRCH', 'pthread_join', undefined, `${tid} is not a thread of process ${r.tgid}`);
  if (t === r) throw kerr('EDEADLK', 'pthread_join', undefined, 'a thread cannot join itself');
  if (t.reaped) throw kerr('EINVAL', 'pthread_join', undefined, `thread ${tid} was joined already`);
  r.actor.send({ type: 'task.blocked', syscall: 'pthread_join' });
  try {
    const st = await t.threadExited;
    if (t.reaped) throw kerr('EINVAL', 'pthread_join', undefined, `thread ${tid} was joined already`);
    t.reaped = true;
    return st;
  } finally {
    if (!r.settled) r.actor.send({ type: 'task.woke' });
  }
}

/** `p`, or EINTR as soon as `signal` aborts (p itself runs on: the caller decides what to do with it). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, syscall: string, path?: string): Promise<T> {
  if (signal === undefined) return p;
  const eintr = (): KernelError => kerr('EINTR', syscall, path, 'interrupted by a signal');
  if (signal.aborted) return Promise.reject(eintr());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(eintr());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** A read a task gave up on (EINTR) that is still running, and what such reads returned. */
interface ReadCarry {
  inFlight: Promise<void> | undefined;
  text: string;
}

// Per open file (shared by threads and forks that share the open file description).
const carries = new WeakMap<OpenFile, ReadCarry>();

// read(2) on an open file. A blocking read (trace_pipe, trace_pipe_raw, tracepipe/NAME) that a signal
// interrupts cannot be undone: it keeps waiting, and whatever it consumes is kept and handed to the
// next read of the same file, which first waits for it, so nothing is lost or reordered.
async function readFile(f: OpenFile, size: number, signal: AbortSignal | undefined): Promise<string> {
  const c = carries.get(f);
  if (c?.inFlight !== undefined) await abortable(c.inFlight, signal, 'read', f.path);
  if (c !== undefined && c.text !== '') {
    const out = c.text.slice(0, Math.max(1, size));
    c.text = c.text.slice(out.length);
    return out;
  }
  const p = Promise.resolve(f.ops.read!(size));
  try {
    return await abortable(p, signal, 'read', f.path);
  } catch (e) {
    if (signal?.aborted !== true) throw e;
    const keep = carries.get(f) ?? { inFlight: undefined, text: '' };
    carries.set(f, keep);
    const done: Promise<void> = p.then(
      (text) => void (keep.text += String(text)),
      () => undefined, // its error is nobody's now: the caller already got EINTR
    ).finally(() => {
      if (keep.inFlight === done) keep.inFlight = undefined;
    });
    keep.inFlight = done;
    throw e;
  }
}

function fdOf(r: TaskRecord, fd: number, syscall: string): OpenFile {
  const f = r.fds.get(fd);
  if (f === undefined) throw kerr('EBADF', syscall, undefined, `fd ${fd} is not open`);
  return f;
}
