// The tracefs tree (fs/tracefs + kernel/trace/trace.c file operations, reduced): a path table of
// virtual files with kernel names, read/write/open/close, and kernel errors (ENOENT, EACCES, EISDIR…).
// Runs in the control plane only; task actors reach it through control-plane syscalls.
// Files are plain objects; a file with per-open state (trace_pipe, timerlat_fd) provides open().
import { kerr } from '../errno.js';

/** Paths under which the tree is mounted; the second is the old debugfs alias. */
export const TRACEFS_MOUNTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] as const;

/** Who opens a file: a task (pid/tgid/current cpu) or the control plane itself. */
export interface Opener {
  readonly pid: number;
  readonly tgid: number;
}

/** The per-open operations of a file that keeps state between calls. */
export interface OpenOps {
  read?(size: number): string | Promise<string>;
  write?(data: string): number | Promise<number>;
  close(): void;
}

/** A virtual file. `mode` gives what the kernel's permission bits would allow. */
export interface TracefsFile {
  readonly mode: 'r' | 'w' | 'rw';
  /** Whole-file read (simple_read_from_buffer). */
  read?(): string | Promise<string>;
  /** Whole-file write; throw EINVAL on a bad value, leaving state unchanged. */
  write?(data: string): void | Promise<void>;
  /** Files with per-open state. Without it, an open file reads and writes through read()/write(). */
  open?(opener: Opener, flags: OpenFlags): OpenOps | Promise<OpenOps>;
}

/** Access mode of an open file. */
export type OpenFlags = 'r' | 'w' | 'rw';

/** Normalise a user-supplied open flag (`'O_RDONLY'`, `'r'`, …). */
export function openFlags(flags: string, path: string): OpenFlags {
  switch (flags) {
    case 'r': case 'O_RDONLY': return 'r';
    case 'w': case 'O_WRONLY': return 'w';
    case 'rw': case 'r+': case 'O_RDWR': return 'rw';
    default: throw kerr('EINVAL', 'open', path, `flags ${JSON.stringify(flags)}: use r, w, rw or O_RDONLY, O_WRONLY, O_RDWR`);
  }
}

/**
 * An open file description (struct file). fd-table entries refer to it: fork copies the table and
 * takes a reference on each (get_file), close and exit drop one (fput), and the file is released
 * (`ops.close()`) only when the last reference goes.
 */
export interface OpenFile {
  readonly path: string;
  readonly flags: OpenFlags;
  readonly ops: OpenOps;
  /** References held (fd-table entries, lab.tracefs handles); 0 once released. */
  refs: number;
}

/** Take one more reference to `f` (fork's copy of an fd table, pidfd_getfd); returns `f`. */
export function getFile(f: OpenFile): OpenFile {
  f.refs++;
  return f;
}

/** Drop one reference to `f` (close, exit); the last one releases the file. A released file stays released. */
export function putFile(f: OpenFile): void {
  if (f.refs <= 0) return;
  if (--f.refs === 0) f.ops.close();
}

/** read(2)'s count: an integer ≥ 0 (a negative ssize_t count is EINVAL in rw_verify_area). */
export function checkReadSize(size: number, path: string): void {
  if (!Number.isSafeInteger(size) || size < 0) throw kerr('EINVAL', 'read', path, `size ${String(size)}: use an integer ≥ 0`);
}

/** The virtual file tree. Paths are relative to the tracing root, without a leading slash. */
export class Tracefs {
  readonly #files = new Map<string, TracefsFile>();
  readonly #dirs = new Set<string>(['']);

  /** Turn `/sys/kernel/tracing/a/b`, `/sys/kernel/debug/tracing/a/b`, `a/b` or `/a/b` into `a/b`. */
  static normalize(path: string, syscall = 'open'): string {
    let p = String(path);
    for (const m of TRACEFS_MOUNTS) {
      if (p === m) return '';
      if (p.startsWith(`${m}/`)) {
        p = p.slice(m.length + 1);
        break;
      }
    }
    if (p.startsWith('/sys/') || p.startsWith('/proc/') || p.startsWith('/dev/')) throw kerr('ENOENT', syscall, path, 'outside tracefs');
    const parts = p.split('/').filter((x) => x !== '' && x !== '.');
    if (parts.includes('..')) throw kerr('ENOENT', syscall, path, '".." is not supported in tracefs paths');
    return parts.join('/');
  }

  /** Add a file (and its parent directories). */
  add(path: string, file: TracefsFile): void {
    const p = Tracefs.normalize(path);
    this.#files.set(p, file);
    this.#mkdirs(p.split('/').slice(0, -1).join('/'));
  }

  /** Add an empty directory. */
  mkdir(path: string): void {
    this.#mkdirs(Tracefs.normalize(path));
  }

  /** Remove a file or an (empty of files) directory tree. */
  remove(path: string): void {
    const p = Tracefs.normalize(path, 'unlink');
    if (this.#files.delete(p)) return;
    if (!this.#dirs.has(p)) throw kerr('ENOENT', 'unlink', path);
    for (const f of this.#files.keys()) if (f.startsWith(`${p}/`)) this.#files.delete(f);
    for (const d of [...this.#dirs]) if (d === p || d.startsWith(`${p}/`)) this.#dirs.delete(d);
  }

  /** True when `path` is a file or directory. */
  exists(path: string): boolean {
    const p = Tracefs.normalize(path, 'stat');
    return this.#files.has(p) || this.#dirs.has(p);
  }

  /** Entries of a directory, sorted; directories end with `/`. */
  readdir(path = ''): string[] {
    const p = Tracefs.normalize(path, 'readdir');
    if (this.#files.has(p)) throw kerr('ENOTDIR', 'readdir', path);
    if (!this.#dirs.has(p)) throw kerr('ENOENT', 'readdir', path);
    const prefix = p === '' ? '' : `${p}/`;
    const out = new Set<string>();
    for (const f of this.#files.keys()) if (f.startsWith(prefix) && !f.slice(prefix.length).includes('/')) out.add(f.slice(prefix.length));
    for (const d of this.#dirs) if (d !== p && d.startsWith(prefix) && !d.slice(prefix.length).includes('/')) out.add(`${d.slice(prefix.length)}/`);
    return [...out].sort();
  }

  /** Read a whole file. */
  async read(path: string): Promise<string> {
    const f = this.#lookup(path, 'read');
    if (f.mode === 'w') throw kerr('EACCES', 'read', path, 'write-only file');
    // A stream (trace_pipe, trace_pipe_raw, timerlat_fd) has per-open state: no whole-file read.
    if (f.read === undefined) throw kerr('EINVAL', 'read', path, 'a stream file with per-open state, not a whole file: open it (lab.tracefs.open(path), or open() in a task) and read the open file');
    return f.read();
  }

  /** Write a whole file (as `echo value > file`). */
  async write(path: string, data: string): Promise<void> {
    const f = this.#lookup(path, 'write');
    if (f.mode === 'r' || f.write === undefined) throw kerr('EACCES', 'write', path, 'read-only file');
    await f.write(String(data));
  }

  /** Open a file for `flags`; the caller keeps the OpenFile and closes it. */
  async open(path: string, flags: OpenFlags, opener: Opener): Promise<OpenFile> {
    const f = this.#lookup(path, 'open');
    if ((flags === 'r' || flags === 'rw') && f.mode === 'w') throw kerr('EACCES', 'open', path, 'write-only file');
    if ((flags === 'w' || flags === 'rw') && f.mode === 'r') throw kerr('EACCES', 'open', path, 'read-only file');
    const rel = Tracefs.normalize(path);
    if (f.open !== undefined) return { path: rel, flags, ops: await f.open(opener, flags), refs: 1 };
    // A plain file has a file position (simple_read_from_buffer): each read returns at most `size`
    // characters from it and advances it; '' at EOF. The content is taken once, at the first read,
    // as seq_file keeps its buffer, so a file read in pieces stays consistent.
    let content: Promise<string> | undefined;
    let pos = 0;
    const ops: OpenOps = {
      read: async (size) => {
        checkReadSize(size, rel);
        if (f.read === undefined || size === 0) return '';
        content ??= Promise.resolve(f.read());
        const text = await content;
        const out = text.slice(pos, pos + size);
        pos += out.length;
        return out;
      },
      write: async (data) => {
        if (f.write === undefined) throw kerr('EACCES', 'write', path, 'read-only file');
        await f.write(data);
        return Buffer.byteLength(data);
      },
      close: () => {},
    };
    return { path: rel, flags, ops, refs: 1 };
  }

  #lookup(path: string, syscall: string): TracefsFile {
    const p = Tracefs.normalize(path, syscall);
    const f = this.#files.get(p);
    if (f !== undefined) return f;
    if (this.#dirs.has(p)) throw kerr('EISDIR', syscall, path);
    throw kerr('ENOENT', syscall, path);
  }

  #mkdirs(p: string): void {
    const parts = p.split('/').filter((x) => x !== '');
    for (let i = 0; i <= parts.length; i++) this.#dirs.add(parts.slice(0, i).join('/'));
  }
}
