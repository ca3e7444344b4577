// Claim: for any result tree, renderKtap's output parses back (by indentation) into the same
// shape, every level's plan `1..N` equals the number of its result lines, numbering runs 1..N,
// each `# Subtest:` name matches its closing result line, and `# Totals:` matches the leaves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderKtap, type KtapResult, type KtapTest } from '../../src/report/ktap.js';

interface ParsedResult {
  ok: boolean;
  n: number;
  name: string;
  directive: string | undefined;
  children: ParsedLevel | undefined;
}
interface ParsedLevel {
  plan: number;
  results: ParsedResult[];
}

const RESULT = /^(ok|not ok) (\d+) (.*?)(?: # (.*))?$/;

/** A strict reader of our KTAP subset; throws on any line it does not expect. */
function parseLevel(lines: string[], at: number, depth: number): [ParsedLevel, number] {
  const pad = '    '.repeat(depth);
  let i = at;
  const expectLine = (want: RegExp | string): RegExpExecArray | null => {
    const line = lines[i++];
    if (line === undefined) throw new Error(`line ${i}: ran out of lines, wanted ${String(want)}`);
    if (typeof want === 'string') {
      if (line !== pad + want) throw new Error(`line ${i}: ${JSON.stringify(line)}, wanted ${JSON.stringify(pad + want)}`);
      return null;
    }
    const m = want.exec(line.slice(pad.length));
    if (!line.startsWith(pad) || m === null) throw new Error(`line ${i}: ${JSON.stringify(line)} does not match ${want}`);
    return m;
  };
  expectLine('KTAP version 1');
  const plan = Number(expectLine(/^1\.\.(\d+)$/)![1]);
  const results: ParsedResult[] = [];
  let pendingChild: { name: string; level: ParsedLevel } | undefined;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith(`${pad}    # Subtest: `)) {
      if (pendingChild !== undefined) throw new Error(`line ${i + 1}: subtest before the previous one's result line`);
      const name = line.slice(pad.length + '    # Subtest: '.length);
      const [level, next] = parseLevel(lines, i + 1, depth + 1);
      pendingChild = { name, level };
      i = next;
      continue;
    }
    if (!line.startsWith(pad) || line.startsWith(`${pad} `)) break;
    const body = line.slice(pad.length);
    const m = RESULT.exec(body);
    if (m === null) {
      if (!body.startsWith('#')) throw new Error(`line ${i + 1}: ${JSON.stringify(line)} is not KTAP`);
      i++;
      continue;
    }
    const result: ParsedResult = { ok: m[1] === 'ok', n: Number(m[2]), name: m[3]!, directive: m[4], children: undefined };
    if (pendingChild !== undefined) {
      if (pendingChild.name !== result.name) throw new Error(`line ${i + 1}: closes ${result.name}, opened ${pendingChild.name}`);
      result.children = pendingChild.level;
      pendingChild = undefined;
    }
    results.push(result);
    i++;
  }
  if (pendingChild !== undefined) throw new Error(`subtest ${pendingChild.name} has no result line`);
  return [{ plan, results }, i];
}

function checkPlans(level: ParsedLevel, where: string): void {
  expect(level.results.length, `${where}: plan vs results`).toBe(level.plan);
  level.results.forEach((r, k) => {
    expect(r.n, `${where}: numbering`).toBe(k + 1);
    if (r.children !== undefined) checkPlans(r.children, `${where}/${r.name}`);
  });
}

function sameShape(level: ParsedLevel, tests: readonly KtapTest[]): void {
  expect(level.results.map((r) => r.name)).toEqual(tests.map((t) => t.name));
  tests.forEach((t, k) => {
    const parsed = level.results[k]!;
    if ('subtests' in t) sameShape(parsed.children!, t.subtests);
    else expect(parsed.children).toBeUndefined();
  });
}

function leafCounts(tests: readonly KtapTest[], acc = { pass: 0, fail: 0, skip: 0, error: 0 }) {
  const add = (r: KtapResult) => {
    if (r.kind === 'timeout') acc.fail++;
    else acc[r.kind]++;
  };
  for (const t of tests) {
    if ('subtests' in t) {
      leafCounts(t.subtests, acc);
      if (t.result !== undefined) add(t.result);
    } else add(t.result);
  }
  return acc;
}

const name = fc.stringMatching(/^[a-z_][a-z0-9_ .:-]{0,15}$/).map((s) => s.trimEnd() || 't');
const result: fc.Arbitrary<KtapResult> = fc.oneof(
  fc.constant({ kind: 'pass' as const }),
  fc.record({ kind: fc.constant('fail' as const) }),
  fc.record({ kind: fc.constant('skip' as const), reason: fc.stringMatching(/^[a-z ]{0,10}$/) }),
  fc.record({ kind: fc.constant('timeout' as const), seconds: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ kind: fc.constant('error' as const) }),
);
const tree = fc.letrec<{ test: KtapTest; tests: KtapTest[] }>((tie) => ({
  test: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ name, result, diagnostics: fc.array(fc.stringMatching(/^[a-z ]{0,12}$/), { maxLength: 2 }) }),
    fc.record({ name, subtests: tie('tests') as fc.Arbitrary<KtapTest[]> }, { requiredKeys: ['name', 'subtests'] }),
  ),
  tests: fc.array(tie('test') as fc.Arbitrary<KtapTest>, { maxLength: 4 }),
})).tests;

describe('KTAP parse-back', () => {
  it('gives every nesting level a plan equal to its result lines, numbered 1..N, in the input shape', () => {
    fc.assert(
      fc.property(tree, (tests) => {
        const lines = renderKtap(tests).split('\n');
        expect(lines.pop()).toBe('');
        const [root, end] = parseLevel(lines, 0, 0);
        expect(end).toBe(lines.length);
        checkPlans(root, 'top');
        sameShape(root, tests);
        const c = leafCounts(tests);
        expect(lines.at(-1)).toBe(`# Totals: pass:${c.pass} fail:${c.fail} xfail:0 xpass:0 skip:${c.skip} error:${c.error}`);
      }),
      { seed: 0x4b7a9, numRuns: 300 },
    );
  });

  it('marks a suite not ok exactly when some test below it failed, timed out or errored', () => {
    const bad = (t: KtapTest): boolean =>
      'subtests' in t ? t.subtests.some(bad) : t.result.kind === 'fail' || t.result.kind === 'timeout' || t.result.kind === 'error';
    fc.assert(
      fc.property(tree, (tests) => {
        const [root] = parseLevel(renderKtap(tests).split('\n').slice(0, -1), 0, 0);
        tests.forEach((t, k) => expect(root.results[k]!.ok).toBe(!bad(t)));
      }),
      { seed: 0x600d, numRuns: 200 },
    );
  });

  it('detects a wrong plan (the checker can fail)', () => {
    const lines = renderKtap([{ name: 's', subtests: [{ name: 'a', result: { kind: 'pass' } }] }]).split('\n').slice(0, -1);
    lines[4] = '    1..2';
    const [root] = parseLevel(lines, 0, 0);
    expect(() => checkPlans(root, 'top')).toThrow(/plan vs results/);
  });
});
