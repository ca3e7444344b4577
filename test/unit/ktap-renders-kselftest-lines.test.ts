// Claims about src/report/ktap.ts output: the exact KTAP v1 lines kselftest and KUnit print,
// and the streaming writer refusing misuse instead of printing malformed KTAP.
import { describe, expect, it } from 'vitest';
import { createKtapWriter, renderKtap, writeKtap, type KtapTest } from '../../src/report/ktap.js';

describe('renderKtap', () => {
  it('prints version, plan, nested subtests with 4-space indent, directives and Totals', () => {
    const tree: KtapTest[] = [
      {
        name: 'ringbuf',
        diagnostics: ['seed 1234'],
        subtests: [
          { name: 'overwrite reports lost events', result: { kind: 'pass' } },
          { name: 'discard counts drops', result: { kind: 'skip', reason: 'needs 2 cpus' } },
        ],
      },
      { name: 'uintr storm', result: { kind: 'timeout', seconds: 45 } },
      { name: 'sigtrap', result: { kind: 'fail', reason: 'no SIGTRAP\nafter 3 hits' } },
      { name: 'timerlat_fd', result: { kind: 'error', reason: 'worker crashed' } },
      { name: 'remove_on_exec', result: { kind: 'skip', reason: '' } },
    ];
    expect(renderKtap(tree)).toBe(
      [
        'KTAP version 1',
        '1..5',
        '    # Subtest: ringbuf',
        '    KTAP version 1',
        '    1..2',
        '    # seed 1234',
        '    ok 1 overwrite reports lost events',
        '    ok 2 discard counts drops # SKIP needs 2 cpus',
        'ok 1 ringbuf',
        'not ok 2 uintr storm # TIMEOUT 45 seconds',
        '# sigtrap: no SIGTRAP',
        '# after 3 hits',
        'not ok 3 sigtrap',
        'not ok 4 timerlat_fd # error worker crashed',
        'ok 5 remove_on_exec # SKIP',
        '# Totals: pass:1 fail:2 xfail:0 xpass:0 skip:2 error:1',
        '',
      ].join('\n'),
    );
  });

  it('fails a suite with a failing subtest, skips one whose subtests all skipped, at any depth', () => {
    const out = renderKtap([
      {
        name: 'outer',
        subtests: [
          { name: 'inner', subtests: [{ name: 'leaf', result: { kind: 'fail' } }] },
          { name: 'skipped', subtests: [{ name: 'a', result: { kind: 'skip', reason: 'x' } }] },
        ],
      },
    ]);
    expect(out).toContain('        not ok 1 leaf\n    not ok 1 inner\n');
    expect(out).toContain('    ok 2 skipped # SKIP all subtests skipped\n');
    expect(out).toContain('\nnot ok 1 outer\n');
    expect(out).toContain('# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0\n');
  });

  it('prints an explicit suite result instead of the derived one and counts it', () => {
    const out = renderKtap([
      { name: 'stress', result: { kind: 'timeout', seconds: 300 }, subtests: [{ name: 'a', result: { kind: 'pass' } }] },
    ]);
    expect(out).toContain('\nnot ok 1 stress # TIMEOUT 300 seconds\n');
    expect(out).toContain('# Totals: pass:1 fail:1 ');
  });

  it('keeps names on one line and free of #, which would start a directive', () => {
    const out = renderKtap([{ name: 'a # b\nc', result: { kind: 'pass' } }]);
    expect(out.split('\n')[2]).toBe('ok 1 a _ b c');
  });

  it('prints an empty plan as 1..0 and Totals of zero', () => {
    expect(renderKtap([])).toBe('KTAP version 1\n1..0\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n');
  });

  it('returns from writeKtap the totals it printed', () => {
    const lines: string[] = [];
    const totals = writeKtap([{ name: 'x', result: { kind: 'pass' } }], (l) => lines.push(l));
    expect(totals).toEqual({ pass: 1, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 });
    expect(lines.at(-1)).toBe('# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0');
  });
});

describe('createKtapWriter (streaming)', () => {
  it('prints each line as soon as it is decided', () => {
    const lines: string[] = [];
    const w = createKtapWriter((l) => lines.push(l), 2);
    expect(lines).toEqual(['KTAP version 1', '1..2']);
    const s = w.subtest('migrate', 1);
    expect(lines.slice(2)).toEqual(['    # Subtest: migrate', '    KTAP version 1', '    1..1']);
    s.result('one', { kind: 'pass' });
    expect(lines.at(-1)).toBe('    ok 1 one');
    expect(s.end()).toEqual({ kind: 'pass' });
    expect(lines.at(-1)).toBe('ok 1 migrate');
  });

  it('reports a plan mismatch kselftest-style and fails the short suite', () => {
    const lines: string[] = [];
    const w = createKtapWriter((l) => lines.push(l), 1);
    const s = w.subtest('short', 3);
    s.result('only', { kind: 'pass' });
    expect(s.end()).toEqual({ kind: 'fail' });
    expect(lines.slice(-2)).toEqual(['    # Planned tests != run tests (3 != 1)', 'not ok 1 short']);
    w.finish();
  });

  it('refuses to write to a level while its subtest is open, or after it closed', () => {
    const w = createKtapWriter(() => {}, 2);
    const s = w.subtest('open', 1);
    expect(() => w.result('x', { kind: 'pass' })).toThrow(/still open/);
    expect(() => w.finish()).toThrow(/still open/);
    s.result('y', { kind: 'pass' });
    s.end();
    expect(() => s.result('z', { kind: 'pass' })).toThrow(/closed/);
    expect(() => s.end()).toThrow(/closed/);
    w.finish();
    expect(() => w.diagnostic('late')).toThrow(/closed/);
  });

  it('rejects a plan that is not a whole number', () => {
    expect(() => createKtapWriter(() => {}, -1)).toThrow(RangeError);
    expect(() => createKtapWriter(() => {}, 1).subtest('x', 1.5)).toThrow(RangeError);
  });
});
