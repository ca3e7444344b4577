// The control-plane syscalls tasks make over their port (open/read/write/close on tracefs, kill,
// sched_setaffinity, clone, exec, wait4, the current ring, uintr): the dispatcher the process manager
// calls for each RPC. Control plane (main thread) only.
import { kerr } from '../errno.js';
import { readAffinity, writeComm, type TaskShm } from '../kernel/task-layout.js';
import { checkReadSize, openFlags, putFile, type OpenFile, type Tracefs } from '../tracefs/tree.js';
import type { RingBoot, TaskRpcCall } from './protocol.js';
import { checkModule, commOf, type Task, type TaskRecord } from './task-record.js';
import type { LabUintr } from './uintr.js'; // uintr

/** What the dispatcher needs from the process manager. */
export interface SyscallHost {
  readonly fs: Tracefs;
  readonly t: TaskShm;
  readonly uintr: LabUintr; // uintr
  /** A task by pid, live or ended. */
  task(pid: number): Task | undefined;
  kill(pid: number, sig: number | string): void;
  setAffinity(pid: number, cpus: readonly number[]): void;
  /** clone(): start a child of `parent` (a thread when `tgid` is given). */
  start(url: string, affinity: number[], arg: unknown, comm: string, tgid: number | undefined, parent: TaskRecord, clearSighand: boolean): Promise<Task>;
  /** The ring every task gets, with its generation. */
  shared(): RingBoot;
}

/** Serve one syscall of task `r`; throws a KernelError for the task to rethrow. */
export async function serveSyscall(host: SyscallHost, r: TaskRecord, req: TaskRpcCall): Promise<unknown> {
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
      return f.ops.read(req.size);
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
      const child = await host.start(req.moduleUrl, affinity, req.arg, r.comm, req.thread ? r.tgid : undefined, r, req.clearSighand === true); // perf: clearSighand
      return child.pid;
    }
    case 'exec':
      checkModule(req.moduleUrl);
      host.uintr.onExec(r); // uintr: close-on-exec, handler and UITT dropped
      r.moduleUrl = req.moduleUrl;
      writeComm(host.t, r.slot, commOf(req.moduleUrl));
      return 0;
    case 'wait4': {
      const target = host.task(req.pid);
      if (target === undefined) throw kerr('ECHILD', 'wait4', undefined, `no task with pid ${req.pid}`);
      r.actor.send({ type: 'task.blocked', syscall: 'wait4' });
      const st = await target.exited;
      if (!r.settled) r.actor.send({ type: 'task.woke' });
      return st;
    }
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

function fdOf(r: TaskRecord, fd: number, syscall: string): OpenFile {
  const f = r.fds.get(fd);
  if (f === undefined) throw kerr('EBADF', syscall, undefined, `fd ${fd} is not open`);
  return f;
}
