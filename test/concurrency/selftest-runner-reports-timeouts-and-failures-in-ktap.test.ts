import { describe, expect, it } from 'vitest';
import { runSuites, type Suite } from '../../src/selftest/index.js';

describe('selftest runner', () => {
  it('reports pass, fail, skip and a kselftest TIMEOUT, shutting each lab down', async () => {
    const labs: Array<{ closed: boolean }> = [];
    const suite: Suite = {
      name: 'demo',
      scenarios: [
        { name: 'passes', lab: { cpus: 1 }, run: async ({ lab }) => void labs.push(lab) },
        { name: 'fails', lab: { cpus: 1 }, run: async ({ lab, check }) => (labs.push(lab), check(false, 'the check said no')) },
        { name: 'skips', lab: { cpus: 1 }, run: async ({ lab }) => (labs.push(lab), { skip: 'not on this machine' }) },
        { name: 'hangs', lab: { cpus: 1 }, timeoutS: 1, run: async ({ lab }) => (labs.push(lab), new Promise<void>(() => {})) },
      ],
    };
    const lines: string[] = [];
    const totals = await runSuites([suite], (l) => lines.push(l));
    const out = lines.join('\n');
    expect(out).toMatch(/^KTAP version 1\n1\.\.1\n {4}# Subtest: demo\n {4}KTAP version 1\n {4}1\.\.4\n/);
    expect(out).toContain('    ok 1 passes');
    expect(out).toContain('    # fails: the check said no');
    expect(out).toContain('    not ok 2 fails');
    expect(out).toContain('    ok 3 skips # SKIP not on this machine');
    expect(out).toContain('    not ok 4 hangs # TIMEOUT 1 seconds');
    expect(out).toContain('not ok 1 demo');
    expect(totals).toMatchObject({ pass: 1, fail: 2, skip: 1 });
    expect(labs).toHaveLength(4);
    expect(labs.every((l) => l.closed)).toBe(true);
  });
});
