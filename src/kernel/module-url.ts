// Resolve what a user passes as a program (a path, a file: URL, a URL object) into a module URL.
// Runs in the control plane and in task workers (same process, same cwd).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

/** A module URL for `module`: URLs pass through, paths resolve against the process's cwd. */
export function moduleUrlOf(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  return pathToFileURL(resolve(module)).href;
}
