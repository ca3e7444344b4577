// execve(2)'s load step before the point of no return (fs/exec.c: bprm_execve → search_binary_handler):
// the new program is loaded and checked while the caller still owns its state, so a bad image fails
// the call with ENOEXEC and the caller goes on. Runs in the task's own worker, synchronously (exec is
// a blocking syscall), through require(esm), which shares the ESM loader's cache with import().
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kerr } from '../errno.js';

const requireSync = createRequire(import.meta.url);

/**
 * Load `url` and return its default export, the program's main. ENOEXEC when the module does not parse,
 * its top-level code throws, or it has no default export function. Undefined when it cannot be loaded
 * synchronously here: not a plain file: URL (data:, a query or hash), a missing file (the control
 * plane's execve answers ENOENT), or a module with top-level await; the runtime then imports it after
 * the commit, as before, and a bad one ends the task "crashed".
 *
 * Loading runs the module's top-level code now, before the commit. That is acceptable: its main has not
 * been called, and the runtime reuses this main rather than importing the module a second time.
 */
export function loadProgram(url: string): ((...args: never[]) => unknown) | undefined {
  if (!url.startsWith('file:')) return undefined;
  const u = new URL(url);
  if (u.search !== '' || u.hash !== '') return undefined; // a distinct module instance to the ESM loader
  const path = fileURLToPath(u);
  if (!existsSync(path)) return undefined;
  let ns: unknown;
  try {
    ns = requireSync(path);
  } catch (e) {
    if ((e as { code?: unknown } | null)?.code === 'ERR_REQUIRE_ASYNC_MODULE') return undefined;
    const why = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0] ?? ''}` : String(e);
    throw kerr('ENOEXEC', 'execve', path, `the module does not load (${why})`);
  }
  // An ES module gives its namespace; a CommonJS one its module.exports, which import() makes the default.
  const isNamespace = typeof ns === 'object' && ns !== null && (ns as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module';
  const main = isNamespace ? (ns as { default?: unknown }).default : ns;
  if (typeof main !== 'function') {
    const what = main === undefined ? 'no default export' : `a default export that is a ${typeof main}, not a function`;
    throw kerr('ENOEXEC', 'execve', path, `the module has ${what}; it must export default function main(ctx, arg)`);
  }
  return main as (...args: never[]) => unknown;
}
