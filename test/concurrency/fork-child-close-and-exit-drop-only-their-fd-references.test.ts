// Claim: a fork child shares its parent's open files by reference (get_file at fork): the child's
// close() or exit drops only its own reference, so the parent's tracepipe channel stays open (one
// reader, writes land) and its trace_pipe still reads; the file is released when the parent, the
// last holder, exits.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const PROGRAM = new URL('../../dist/test/fixtures/fd-fork.js', import.meta.url);

describe('fork shares open files by reference', () => {
  const boot = useLabs();

  it.each(['close', 'exit'] as const)('child %s: the parent keeps its tracepipe reader and trace_pipe', async (child) => {
    const lab = await boot({ cpus: 2 });
    lab.tracepipe.create('chan');
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const t = await lab.spawn(PROGRAM, { arg: { chan: 'chan', child, flag: flag.buffer, expect: 'len=5 68656c6c6f' } });
    const r = Atomics.waitAsync(flag, 0, 0, 10_000);
    expect(await within(10_000, 'child exit', r.async ? r.value : Promise.resolve(r.value))).not.toBe('timed-out');
    expect(lab.tracepipe.readers('chan')).toBe(1);
    expect(lab.tracepipe.write('chan', 0, 'hello')).toBe(true);
    await lab.tracefs.write('trace_marker', 'for-the-parent');
    expect(await within(10_000, 'parent exit', t.exited)).toEqual({ code: 0 });
    expect(lab.tracepipe.readers('chan')).toBe(0); // the last reference went with the parent
  });
});
