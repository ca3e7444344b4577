// tracefs as the control plane sees it (`lab.tracefs`): path reads and writes, and open files with
// read/write/close that fail like the kernel's (EBADF on a closed file or the wrong direction).
// Control plane (main thread); every call goes straight to the lab's Tracefs tree.
import { kerr } from '../errno.js';
import { checkReadSize, openFlags, putFile, type OpenFile, type Tracefs } from '../tracefs/tree.js';

/** An open tracefs file from the control plane. */
export interface TracefsHandle {
  readonly path: string;
  read(size?: number): Promise<string>;
  write(data: string): Promise<number>;
  close(): Promise<void>;
}

/** tracefs as the control plane sees it (`lab.tracefs`). Paths may be relative or start with /sys/kernel/tracing. */
export interface TracefsApi {
  read(path: string): Promise<string>;
  write(path: string, data: string | number): Promise<void>;
  open(path: string, flags?: 'r' | 'w' | 'rw'): Promise<TracefsHandle>;
  readdir(path?: string): Promise<string[]>;
}

/**
 * The control plane's view of `fs`, opening files as pid 0. `alive(syscall)` throws (ESHUTDOWN once
 * the lab is shut down) before every path call; files opened before keep working until closed.
 */
export function controlTracefs(fs: Tracefs, alive: (syscall: string) => void = () => undefined): TracefsApi {
  const opener = { pid: 0, tgid: 0 };
  return {
    read: async (path) => (alive('read'), fs.read(path)),
    write: async (path, data) => (alive('write'), fs.write(path, String(data))),
    readdir: async (path) => (alive('readdir'), fs.readdir(path)),
    open: async (path, flags = 'r') => {
      alive('open');
      const f: OpenFile = await fs.open(path, openFlags(flags, path), opener);
      let closed = false;
      const check = (syscall: string): void => {
        if (closed) throw kerr('EBADF', syscall, f.path, 'the file is closed');
      };
      return {
        path: f.path,
        read: async (size = 65536) => {
          check('read');
          if (f.flags === 'w' || f.ops.read === undefined) throw kerr('EBADF', 'read', f.path, 'not open for reading');
          checkReadSize(size, f.path);
          return f.ops.read(size);
        },
        write: async (data) => {
          check('write');
          if (f.flags === 'r' || f.ops.write === undefined) throw kerr('EBADF', 'write', f.path, 'not open for writing');
          return f.ops.write(String(data));
        },
        close: async () => {
          check('close');
          closed = true;
          putFile(f);
        },
      };
    },
  };
}
