// A uintr fd as an entry of a task's fd table (arch/x86/kernel/uintr_fd.c: uintrfd_fops,
// uintrfd_release): one open file shared by every entry that refers to it (fork dups, pidfd_getfd),
// whose vector is freed when the last reference closes. Control plane (main thread) only.
import { closeFd, type UintrFd, type UintrViews } from '../uintr/index.js';
import type { OpenFile } from '../tracefs/tree.js';

/** The path a uintr fd shows (anon_inode, as /proc/PID/fd would). */
export const UINTR_FD_PATH = 'anon_inode:[uintrfd]';

/** One open uintr file and how many fd-table entries refer to it. */
export interface UintrFile {
  readonly fd: UintrFd;
  refs: number;
}

/**
 * A fresh fd-table reference to `u`, recorded in `files`; closing it twice is a no-op (exit paths
 * may close a table again). The caller counted the reference in `u.refs`.
 */
export function openUintrFile(v: UintrViews, u: UintrFile, files: WeakMap<OpenFile, UintrFile>): OpenFile {
  let closed = false;
  const f: OpenFile = {
    path: UINTR_FD_PATH,
    flags: 'rw',
    ops: {
      close: () => {
        if (closed) return;
        closed = true;
        if (--u.refs === 0) closeFd(v, u.fd); // EBADF when the receiver is gone: nothing left to free
      },
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
