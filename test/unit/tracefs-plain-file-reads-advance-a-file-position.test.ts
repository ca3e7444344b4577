// Claim: a read of an open plain tracefs file follows simple_read_from_buffer: at most `size`
// characters from the file position, which advances; '' at EOF; read(fd, 0) returns '' and moves
// nothing; a negative size is EINVAL. The content is taken at the first read (seq_file), so a file
// read in pieces reassembles to one consistent text even when the value changes in between.
import { describe, expect, it } from 'vitest';
import { Tracefs } from '../../src/tracefs/tree.js';

function tree(): { fs: Tracefs; set(v: string): void } {
  const fs = new Tracefs();
  let value = 'timerlat nop\n';
  fs.add('available_tracers', { mode: 'rw', read: () => value, write: (d) => void (value = d) });
  return { fs, set: (v) => void (value = v) };
}

const opener = { pid: 0, tgid: 0 };

describe('plain tracefs file reads', () => {
  it('read(4) returns 4 characters, the next read the next 4, then the rest, then ""', async () => {
    const { fs } = tree();
    const f = await fs.open('available_tracers', 'r', opener);
    expect(await f.ops.read!(4)).toBe('time');
    expect(await f.ops.read!(4)).toBe('rlat');
    expect(await f.ops.read!(100)).toBe(' nop\n');
    expect(await f.ops.read!(100)).toBe('');
  });

  it('read(fd, 0) returns "" without moving the position', async () => {
    const { fs } = tree();
    const f = await fs.open('available_tracers', 'r', opener);
    expect(await f.ops.read!(0)).toBe('');
    expect(await f.ops.read!(65536)).toBe('timerlat nop\n');
  });

  it('a negative size is EINVAL naming the path', async () => {
    const { fs } = tree();
    const f = await fs.open('available_tracers', 'r', opener);
    await expect(f.ops.read!(-1)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'read', path: 'available_tracers' });
  });

  it('pieces come from the snapshot taken at the first read; a new open sees the new value', async () => {
    const { fs, set } = tree();
    const f = await fs.open('available_tracers', 'r', opener);
    const first = await f.ops.read!(5);
    set('something else entirely\n');
    expect(first + (await f.ops.read!(100))).toBe('timerlat nop\n');
    const g = await fs.open('available_tracers', 'r', opener);
    expect(await g.ops.read!(100)).toBe('something else entirely\n');
  });
});
