// Claim: the import graph of src/, actors/, machines/ and bench/ follows STYLE.md's
// "Dependencies point one way". A small regex import scanner resolves relative specifiers to
// layers (src/<folder>, machines, actors, bench) and checks each edge against the table below.
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// ---------------------------------------------------------------------------------------------
// The rules. A layer is `src/<folder>` (or `src/<file>` for root files), `machines`, `actors` or
// `bench`. A layer may always import its own files. "types" lists what it may `import type`
// on top of what it may import outright.

interface Rule {
  /** Layers (or single files, `*.ts`) this layer may import values from. */
  readonly values: readonly string[];
  /** Layers or files it may import only with `import type`; 'src' means any src layer. */
  readonly types?: readonly string[] | 'src';
  /** Which non-relative packages it may import; any when absent. */
  readonly packages?: RegExp;
}

const SHARED = ['src/ringbuf', 'src/uintr', 'src/perf', 'src/shm', 'src/errno'];
const ALL_LIBRARY = [
  'src/errno', 'src/shm', 'src/ringbuf', 'src/uintr', 'src/perf', 'src/kernel', 'src/tracers',
  'src/tracefs', 'src/lab', 'src/report', 'src/task', 'machines',
];

/** STYLE.md's table, one entry per layer; a folder picks up its rule as soon as it exists. */
const RULES: Record<string, Rule> = {
  'src/errno': { values: [] },
  'src/shm': { values: [] },
  'src/ringbuf': { values: ['src/shm', 'src/errno'] },
  'src/uintr': { values: ['src/shm', 'src/errno'] },
  'src/perf': { values: ['src/shm', 'src/errno'] },
  // The CPU actor's side of the pool<->actor contract: message types only.
  'src/kernel': { values: SHARED, types: ['src/lab/protocol.ts'] },
  // The user-task runtime (ctx syscalls): the task actor's twin of src/kernel.
  'src/task': { values: ['src/kernel', 'src/tracers', ...SHARED], types: ['src/lab/protocol.ts'] },
  'src/tracers': { values: SHARED },
  'src/tracefs': { values: SHARED },
  // The control plane allocates the kernel's shared regions and signals through them.
  'src/lab': { values: ['machines', 'src/kernel', 'src/tracefs', 'src/tracers', ...SHARED] },
  // STYLE.md: cli → report, lab. Also errno (exit code 1 on a KernelError) and the tracefs
  // parsers, which the CLI shares for option values (cpu lists, durations).
  'src/cli': { values: ['src/report', 'src/lab', 'src/selftest', 'src/errno', 'src/tracefs/parse.ts'] },
  // kselftest-style scenarios and the task programs they run: drive a Lab, print through src/report.
  'src/selftest': { values: ['src/lab', 'src/report', 'src/errno', 'src/shm', 'src/ringbuf', 'src/uintr', 'src/perf'], types: 'src' },
  'src/report': { values: [], types: 'src' },
  'src/index': { values: ALL_LIBRARY },
  machines: { values: [], types: 'src', packages: /^xstate(\/|$)/ },
  actors: { values: ['src/kernel', 'src/task', 'src/tracers', 'machines', ...SHARED], types: ['src/lab/protocol.ts'] },
  // Benches drive the library and run the shipped self-test programs as their workloads.
  bench: { values: [...ALL_LIBRARY, 'src/index', 'src/selftest'] },
};

/** Nothing outside these layers may import them (actors are loaded by URL, never imported). */
const UNIMPORTABLE = ['actors', 'src/cli', 'bench'];

// ---------------------------------------------------------------------------------------------
// The checker: pure functions over a { path: source } map, so it can be tested on fakes.

interface ImportEdge {
  readonly from: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

interface Violation {
  readonly from: string;
  readonly specifier: string;
  readonly why: string;
}

/** Remove comments, keeping string literals (specifiers and URLs with `//` survive). */
function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end === -1 ? src.length : end + 2;
      out += ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c && !(c !== '`' && src[j] === '\n')) j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const Q = `(['"])([^'"\\n]+)\\`;
const PATTERNS: { re: RegExp; typeOnly: (m: RegExpExecArray) => boolean; spec: number }[] = [
  // import X from '…' / import { a, type B } from '…' / import * as X from '…' / import type …
  {
    re: new RegExp(`\\bimport\\s+(type\\s+)?([\\w$*{},\\s]+?)\\s+from\\s*${Q}3`, 'g'),
    typeOnly: (m) => m[1] !== undefined || allTypeSpecifiers(m[2]!),
    spec: 4,
  },
  // export * from '…' / export { a } from '…' / export type { A } from '…'
  {
    re: new RegExp(`\\bexport\\s+(type\\s+)?(\\*(?:\\s+as\\s+[\\w$]+)?|\\{[^}]*\\})\\s*from\\s*${Q}3`, 'g'),
    typeOnly: (m) => m[1] !== undefined || allTypeSpecifiers(m[2]!),
    spec: 4,
  },
  // import '…' (side effects)
  { re: new RegExp(`\\bimport\\s*${Q}1`, 'g'), typeOnly: () => false, spec: 2 },
  // import('…') and require('…')
  { re: new RegExp(`(?:\\bimport|\\brequire)\\s*\\(\\s*${Q}1\\s*\\)`, 'g'), typeOnly: () => false, spec: 2 },
];

function allTypeSpecifiers(clause: string): boolean {
  const m = /^\{([^}]*)\}$/.exec(clause.trim());
  if (m === null) return false;
  const names = m[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return names.length > 0 && names.every((s) => /^type\s/.test(s));
}

/** Every import/export-from/dynamic import in a source file. */
function importsOf(from: string, source: string): ImportEdge[] {
  const code = stripComments(source);
  const edges: ImportEdge[] = [];
  for (const p of PATTERNS) {
    for (const m of code.matchAll(p.re)) edges.push({ from, specifier: m[p.spec]!, typeOnly: p.typeOnly(m) });
  }
  return edges;
}

/** The layer a project-relative path belongs to, or undefined outside the checked trees. */
function layerOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === 'src') {
    if (parts.length === 2) return `src/${parts[1]!.replace(/\.[cm]?ts$/, '')}`;
    return `src/${parts[1]}`;
  }
  if (parts[0] === 'machines' || parts[0] === 'actors' || parts[0] === 'bench') return parts[0];
  return undefined;
}

/** Resolve a specifier to a project-relative .ts path, or a package name. */
function resolve(from: string, specifier: string, files: ReadonlySet<string>): { path: string } | { pkg: string } {
  if (specifier === 'tracelab' || specifier.startsWith('tracelab/')) return { path: 'src/index.ts' };
  if (!specifier.startsWith('.')) return { pkg: specifier };
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  const ts = joined.replace(/\.([cm]?)js$/, '.$1ts');
  if (ts !== joined || /\.[cm]?ts$/.test(joined)) return { path: ts };
  const candidates = [`${joined}.ts`, `${joined}/index.ts`];
  return { path: candidates.find((c) => files.has(c)) ?? candidates[0]! };
}

function allowed(list: readonly string[] | 'src' | undefined, layer: string, path: string): boolean {
  if (list === undefined) return false;
  if (list === 'src') return layer.startsWith('src/');
  return list.includes(layer) || list.includes(path);
}

/** Check every file of a { path: source } map against RULES; empty when the graph is clean. */
function checkArchitecture(sources: ReadonlyMap<string, string>): Violation[] {
  const files = new Set(sources.keys());
  const out: Violation[] = [];
  for (const [from, source] of sources) {
    const fromLayer = layerOf(from);
    if (fromLayer === undefined) continue;
    const rule = RULES[fromLayer];
    const edges = importsOf(from, source);
    if (rule === undefined) {
      out.push({ from, specifier: '', why: `${fromLayer} is not a layer of STYLE.md; add it to RULES in test/unit/architecture.test.ts or move the file` });
      continue;
    }
    for (const edge of edges) {
      const target = resolve(from, edge.specifier, files);
      const v = (why: string) => out.push({ from, specifier: edge.specifier, why });
      if ('pkg' in target) {
        if (rule.packages !== undefined && !rule.packages.test(target.pkg)) v(`${fromLayer} may import only ${rule.packages} from packages`);
        continue;
      }
      const toLayer = layerOf(target.path);
      if (toLayer === undefined) {
        v(`resolves to ${target.path}, outside src/, machines/, actors/ and bench/`);
        continue;
      }
      if (toLayer === fromLayer) continue;
      if (UNIMPORTABLE.includes(toLayer)) {
        v(`nothing imports ${toLayer}/${toLayer === 'actors' ? ' (refer to actors by file URL)' : ''}`);
        continue;
      }
      if (allowed(rule.values, toLayer, target.path)) continue;
      if (edge.typeOnly && allowed(rule.types, toLayer, target.path)) continue;
      const typeHint = allowed(rule.types, toLayer, target.path) ? ' (use `import type`)' : '';
      v(`${fromLayer} may not import ${edge.typeOnly ? 'types from ' : ''}${toLayer}${typeHint}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const root = fileURLToPath(new URL('../../', import.meta.url));

function listTs(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(posix.join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : listTs(rel);
    return /\.[cm]?ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

describe('architecture: the import graph follows STYLE.md', () => {
  it('has no import that breaks the dependency rules', () => {
    const paths = ['src', 'actors', 'machines', 'bench'].flatMap(listTs);
    expect(paths.length).toBeGreaterThan(0);
    const sources = new Map(paths.map((p) => [p, readFileSync(posix.join(root, p), 'utf8')]));
    const report = checkArchitecture(sources).map((v) => `${v.from}: '${v.specifier}' — ${v.why}`);
    expect(report, `\n${report.join('\n')}\n`).toEqual([]);
  });
});

describe('architecture checker (on synthetic files)', () => {
  const check = (files: Record<string, string>) => checkArchitecture(new Map(Object.entries(files)));

  it('accepts the edges STYLE.md allows', () => {
    expect(
      check({
        'src/shm/wait.ts': "import { clockNs } from './clock.js';\nimport { isMainThread } from 'node:worker_threads';",
        'src/shm/clock.ts': '',
        'src/errno.ts': "import { constants } from 'node:os';",
        'src/ringbuf/writer.ts': "import { waitWord } from '../shm/wait.js';\nimport { kerr } from '../errno.js';",
        'src/tracers/timerlat.ts': "import { RingBuffer } from '../ringbuf/writer.js';",
        'src/lab/pools.ts': "import { taskMachine } from '../../machines/index.js';\nconst cpu = new URL('../../actors/cpu.js', import.meta.url);",
        'src/report/top.ts': "import type { KernelError } from '../errno.js';\nimport { renderKtap } from './ktap.js';",
        'machines/task.ts': "import { setup } from 'xstate';\nimport { getShortestPaths } from 'xstate/graph';\nimport type { Pid } from '../src/kernel/ids.js';",
        'machines/index.ts': "export { taskMachine } from './task.js';\nexport type { TaskEvent } from './task.js';",
        'actors/cpu.ts': "import { runCpu } from '../src/kernel/cpu.js';\nimport type { CpuData } from '../src/lab/protocol.js';",
        'src/cli/main.ts': "import { Lab } from '../lab/lab.js';\nimport { parseCpuList } from '../tracefs/parse.js';",
        'src/index.ts': "export { Lab } from './lab/lab.js';\nexport type { KtapTest } from './report/ktap.js';",
      }),
    ).toEqual([]);
  });

  it('flags a leaf layer that imports anything of ours', () => {
    expect(check({ 'src/shm/wait.ts': "import { kerr } from '../errno.js';" })).toEqual([
      { from: 'src/shm/wait.ts', specifier: '../errno.js', why: 'src/shm may not import src/errno' },
    ]);
    expect(check({ 'src/errno.ts': "import type { X } from './shm/layout.js';" })).toHaveLength(1);
  });

  it('flags value imports from src/ in machines, and any package but xstate', () => {
    const v = check({
      'machines/tracer.ts': [
        "import { kerr } from '../src/errno.js';",
        "import { readFileSync } from 'node:fs';",
        "import { type A, B } from '../src/kernel/ids.js';",
        "import { type C, type D } from '../src/kernel/ids.js';",
      ].join('\n'),
    });
    expect(v.map((x) => x.specifier)).toEqual(['../src/errno.js', 'node:fs', '../src/kernel/ids.js']);
    expect(v[0]!.why).toMatch(/use `import type`/);
  });

  it('flags src/report value imports from elsewhere in src, but not from its own folder', () => {
    const v = check({ 'src/report/top.ts': "import { Stats } from '../lab/stats.js';\nimport { x } from './hist.js';" });
    expect(v).toEqual([{ from: 'src/report/top.ts', specifier: '../lab/stats.js', why: 'src/report may not import src/lab (use `import type`)' }]);
  });

  it('flags any import of actors/, src/cli or bench/, including a dynamic import', () => {
    const v = check({
      'src/lab/pools.ts': "const m = await import('../../actors/cpu.js');",
      'src/lab/lab.ts': "import { main } from '../cli/main.js';",
      'src/kernel/cpu.ts': "import '../../bench/lib/ratio.js';",
    });
    expect(v.map((x) => x.why)).toEqual([
      'nothing imports actors/ (refer to actors by file URL)',
      'nothing imports src/cli/',
      'nothing imports bench/',
    ]);
  });

  it('flags an edge against the direction of the layers (ringbuf → kernel, actors → lab values)', () => {
    const v = check({
      'src/ringbuf/writer.ts': "import { cpu } from '../kernel/cpu.js';",
      'actors/task.ts': "import { Lab } from '../src/lab/lab.js';\nimport { encode } from '../src/lab/protocol.js';",
    });
    expect(v.map((x) => `${x.from} ${x.specifier}`)).toEqual([
      'src/ringbuf/writer.ts ../kernel/cpu.js',
      'actors/task.ts ../src/lab/lab.js',
      'actors/task.ts ../src/lab/protocol.js',
    ]);
  });

  it('reads multi-line imports and export-from, and ignores imports inside comments', () => {
    const v = check({
      'src/shm/a.ts': [
        '// import { x } from "../errno.js";',
        "/* export * from '../ringbuf/b.js'; */",
        'import {',
        '  kerr,',
        '  type ErrnoName,',
        "} from '../errno.js';",
        "export * as r from '../ringbuf/b.js';",
        "const url = 'https://example.org/x'; // not a comment start inside the string",
      ].join('\n'),
    });
    expect(v.map((x) => x.specifier)).toEqual(['../errno.js', '../ringbuf/b.js']);
  });

  it('flags a folder that no rule covers, so new layers are decided, not waved through', () => {
    const v = check({ 'src/util/misc.ts': '' });
    expect(v).toHaveLength(1);
    expect(v[0]!.why).toMatch(/src\/util is not a layer of STYLE.md/);
  });

  it('flags imports that leave the checked trees (e.g. test helpers in library code)', () => {
    const v = check({ 'src/kernel/cpu.ts': "import { mulberry32 } from '../../test/helpers/seeded-rng.js';" });
    expect(v[0]!.why).toMatch(/outside src\//);
  });
});
