// KTAP version 1 output (Documentation/dev-tools/ktap.rst) with kselftest's extras: the
// `# TIMEOUT N seconds` directive (runner.sh), `# error` and the `# Totals:` line (kselftest.h).
// Presentation only, in whichever thread reports (control plane / CLI): pure, single-threaded,
// writes nothing itself; every line goes to the sink the caller supplies, in order.

/** How one test ended. A suite's result is derived from its subtests unless given. */
export type KtapResult =
  | { readonly kind: 'pass' }
  | { readonly kind: 'fail'; readonly reason?: string }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'timeout'; readonly seconds: number }
  | { readonly kind: 'error'; readonly reason?: string };

/** A test without subtests. `diagnostics` print as `# …` lines before its result line. */
export interface KtapCase {
  readonly name: string;
  readonly result: KtapResult;
  readonly diagnostics?: readonly string[];
}

/** A test with subtests. `result` overrides the one derived from the subtests (e.g. a timeout). */
export interface KtapSuite {
  readonly name: string;
  readonly subtests: readonly KtapTest[];
  readonly result?: KtapResult;
  readonly diagnostics?: readonly string[];
}

/** A node of the result tree. */
export type KtapTest = KtapCase | KtapSuite;

/** kselftest's counters, as printed on the `# Totals:` line. */
export interface KtapTotals {
  pass: number;
  fail: number;
  xfail: number;
  xpass: number;
  skip: number;
  error: number;
}

/** Receives one output line at a time, without its newline. */
export type KtapSink = (line: string) => void;

/** One level of output: the top level, or the inside of a subtest. */
export interface KtapLevel {
  /** Print `# text` (one line per line of `text`). */
  diagnostic(text: string): void;
  /** Print the next numbered result line. */
  result(name: string, result: KtapResult): void;
  /** Open a nested test with `plan` subtests; this level is paused until it ends. */
  subtest(name: string, plan: number): KtapSubtest;
}

/** An open nested test. */
export interface KtapSubtest extends KtapLevel {
  /** Close it: print its result line on the parent level, derived from its subtests unless given. */
  end(result?: KtapResult): KtapResult;
}

/** The top level of a KTAP stream. */
export interface KtapWriter extends KtapLevel {
  /** Report a plan mismatch if any, print `# Totals: …`, and return the totals. */
  finish(): KtapTotals;
}

const INDENT = '    ';

/** `ok`/`not ok` line text for a result, without the indent. */
function resultLine(n: number, name: string, r: KtapResult): string {
  switch (r.kind) {
    case 'pass':
      return `ok ${n} ${name}`;
    case 'fail':
      return `not ok ${n} ${name}`;
    case 'skip':
      return r.reason === '' ? `ok ${n} ${name} # SKIP` : `ok ${n} ${name} # SKIP ${oneLine(r.reason)}`;
    case 'timeout':
      return `not ok ${n} ${name} # TIMEOUT ${r.seconds} seconds`;
    case 'error':
      return r.reason === undefined ? `not ok ${n} ${name} # error` : `not ok ${n} ${name} # error ${oneLine(r.reason)}`;
  }
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}

// KTAP: a description "can't include #"; a newline would break the line structure.
function cleanName(name: string): string {
  return oneLine(name).replace(/#/g, '_');
}

function checkPlan(plan: number): void {
  if (!Number.isInteger(plan) || plan < 0) throw new RangeError(`a KTAP plan is a whole number ≥ 0, got ${plan}`);
}

/** True when a result counts as a failure of its parent. */
function isBad(r: KtapResult): boolean {
  return r.kind === 'fail' || r.kind === 'timeout' || r.kind === 'error';
}

function count(totals: KtapTotals, r: KtapResult): void {
  if (r.kind === 'timeout') totals.fail++;
  else totals[r.kind]++;
}

// One level of the stream. Only the innermost open level may write, which keeps the lines of
// nested tests contiguous; misuse throws rather than printing malformed KTAP.
class Level implements KtapSubtest, KtapWriter {
  #done = 0;
  #bad = false;
  #skipped = 0;
  #child: Level | null = null;
  #closed = false;

  constructor(
    private readonly sink: KtapSink,
    private readonly depth: number,
    private readonly plan: number,
    private readonly totals: KtapTotals,
    private readonly parent: Level | null,
    private readonly name: string,
  ) {}

  #emit(line: string): void {
    this.sink(INDENT.repeat(this.depth) + line);
  }

  #checkWritable(): void {
    if (this.#closed) throw new Error(`KTAP level ${JSON.stringify(this.name)} is already closed`);
    if (this.#child !== null) throw new Error(`KTAP subtest ${JSON.stringify(this.#child.name)} is still open`);
  }

  #planMismatch(): boolean {
    if (this.#done === this.plan) return false;
    this.#emit(`# Planned tests != run tests (${this.plan} != ${this.#done})`);
    return true;
  }

  /** Print a numbered result line on this level; `counted` says whether Totals see it. */
  record(name: string, r: KtapResult, counted: boolean): void {
    this.#done++;
    if (isBad(r)) this.#bad = true;
    if (r.kind === 'skip') this.#skipped++;
    if (counted) count(this.totals, r);
    if (r.kind === 'fail' && r.reason !== undefined) this.diagnosticUnchecked(`${name}: ${r.reason}`);
    this.#emit(resultLine(this.#done, name, r));
  }

  diagnosticUnchecked(text: string): void {
    for (const line of text.split(/\r?\n/)) this.#emit(line === '' ? '#' : `# ${line}`);
  }

  diagnostic(text: string): void {
    this.#checkWritable();
    this.diagnosticUnchecked(text);
  }

  result(name: string, result: KtapResult): void {
    this.#checkWritable();
    this.record(cleanName(name), result, true);
  }

  subtest(name: string, plan: number): KtapSubtest {
    this.#checkWritable();
    checkPlan(plan);
    const clean = cleanName(name);
    const child = new Level(this.sink, this.depth + 1, plan, this.totals, this, clean);
    this.#child = child;
    child.#emit(`# Subtest: ${clean}`);
    child.#emit('KTAP version 1');
    child.#emit(`1..${plan}`);
    return child;
  }

  end(result?: KtapResult): KtapResult {
    const parent = this.parent;
    if (parent === null) throw new Error('the top KTAP level ends with finish(), not end()');
    this.#checkWritable();
    const short = this.#planMismatch();
    this.#closed = true;
    parent.#child = null;
    // Derived as KUnit does: any failure fails the suite; all skipped skips it.
    const derived: KtapResult =
      this.#bad || short
        ? { kind: 'fail' }
        : this.#done > 0 && this.#skipped === this.#done
          ? { kind: 'skip', reason: 'all subtests skipped' }
          : { kind: 'pass' };
    const final = result ?? derived;
    parent.record(this.name, final, result !== undefined);
    return final;
  }

  finish(): KtapTotals {
    if (this.parent !== null) throw new Error('a KTAP subtest ends with end(), not finish()');
    this.#checkWritable();
    this.#planMismatch();
    this.#closed = true;
    const t = this.totals;
    this.#emit(`# Totals: pass:${t.pass} fail:${t.fail} xfail:${t.xfail} xpass:${t.xpass} skip:${t.skip} error:${t.error}`);
    return { ...t };
  }
}

/**
 * Start a KTAP stream: prints `KTAP version 1` and `1..plan` at once, then each line as it is
 * decided, so a long stress run shows progress.
 *
 * Totals count every result decided directly: each test without subtests, plus each subtest
 * closed with an explicit result (e.g. a timeout). A timeout counts as a failure, as in kselftest.
 *
 * @example
 * const ktap = createKtapWriter((line) => process.stdout.write(`${line}\n`), 2);
 * const suite = ktap.subtest('ringbuf', 1);
 * suite.result('overwrite reports lost events', { kind: 'pass' });
 * suite.end();
 * ktap.result('uintr', { kind: 'timeout', seconds: 45 });
 * ktap.finish();
 */
export function createKtapWriter(sink: KtapSink, plan: number): KtapWriter {
  checkPlan(plan);
  const root = new Level(sink, 0, plan, { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 }, null, '');
  sink('KTAP version 1');
  sink(`1..${plan}`);
  return root;
}

function writeTests(level: KtapLevel, tests: readonly KtapTest[]): void {
  for (const test of tests) {
    if ('subtests' in test) {
      const sub = level.subtest(test.name, test.subtests.length);
      for (const d of test.diagnostics ?? []) sub.diagnostic(d);
      writeTests(sub, test.subtests);
      sub.end(test.result);
    } else {
      for (const d of test.diagnostics ?? []) level.diagnostic(d);
      level.result(test.name, test.result);
    }
  }
}

/** Write a whole result tree to `sink`, line by line, and return the totals. */
export function writeKtap(tests: readonly KtapTest[], sink: KtapSink): KtapTotals {
  const writer = createKtapWriter(sink, tests.length);
  writeTests(writer, tests);
  return writer.finish();
}

/** Render a whole result tree as KTAP text (newline-terminated). */
export function renderKtap(tests: readonly KtapTest[]): string {
  const lines: string[] = [];
  writeKtap(tests, (line) => lines.push(line));
  return `${lines.join('\n')}\n`;
}
