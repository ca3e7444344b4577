// A uintr fd as an entry of a task's fd table (arch/x86/kernel/uintr_fd.c: uintrfd_fops,
// uintrfd_release): one open file description (tracefs/tree.ts OpenFile) shared by every entry that
// refers to it (fork's table copy, pidfd_getfd), whose vector is freed when the last reference is
// dropped (putFile). Control plane (main thread) only.
import { closeFd, type UintrFd, type UintrViews } from '../uintr/index.js';
import type { OpenFile } from '../tracefs/tree.js';

/** The path a uintr fd shows (anon_inode, as /proc/PID/fd would). */
export const UINTR_FD_PATH = 'anon_inode:[uintrfd]';

/** What a uintr open file refers to. */
export interface UintrFile {
  readonly fd: UintrFd;
}

/** A new open uintr file holding one reference, recorded in `files`; its release frees the vector. */
export function openUintrFile(v: UintrViews, u: UintrFile, files: WeakMap<OpenFile, UintrFile>): OpenFile {
  const f: OpenFile = {
    path: UINTR_FD_PATH,
    flags: 'rw',
    refs: 1,
    ops: {
      close: () => closeFd(v, u.fd), // EBADF when the receiver is gone: nothing left to free
    },
  };
  files.set(f, u);
  return f;
}

/** Install `f` at the lowest free fd number ≥ 3, as open() allocates. */
export function install(fds: Map<number, OpenFile>, f: OpenFile): number {
  let n = 3;
  while (fds.has(n)) n++;
  fds.set(n, f);
  return n;
}
