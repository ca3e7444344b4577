// Output files (--json, --html, -t, trace actions, record -o) are checked before a run starts, so a
// typo in a directory costs no measurement: the directory must exist and be writable, and the file,
// if it exists, must be a writable regular file. Errors name the option and the errno. CLI process.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { kerr, type ErrnoName } from '../errno.js';

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Throw ENOENT / ENOTDIR / EISDIR / EACCES (syscall `option`) unless `file` can be written. */
export function checkOutputPath(file: string, option: string): void {
  const full = resolve(file);
  const dir = dirname(full);
  const fail = (code: ErrnoName, why: string): never => {
    throw kerr(code, 'option', option, `${JSON.stringify(file)}: ${why}`);
  };
  const d = statOrNull(dir);
  if (d === null) fail('ENOENT', `directory ${dir} does not exist; create it or write elsewhere`);
  if (!d!.isDirectory()) fail('ENOTDIR', `${dir} is not a directory`);
  const f = statOrNull(full);
  if (f?.isDirectory() === true) fail('EISDIR', 'is a directory; name a file');
  if (f !== null ? !writable(full) : !writable(dir)) fail('EACCES', `${f !== null ? full : `directory ${dir}`} is not writable`);
}
