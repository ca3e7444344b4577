// Claim: the trace buffer's tracefs files behave like ftrace's: trace is non-consuming with the
// ftrace header, trace_pipe consumes and blocks until a write or close, trace_marker records print
// events only while tracing is on, buffer_size_kb resizes only while off (EBUSY otherwise) and
// calls onResize, per_cpu stats and trace_pipe_raw pages reflect the buffer, echo > trace clears.
import { describe, expect, it } from 'vitest';
import { code } from '../helpers/errno-code.js';
import { allocateKernel } from '../../src/kernel/layout.js';
import { Tracing } from '../../src/lab/tracing.js';
import { decodePage, type RingHandle } from '../../src/ringbuf/index.js';
import { Tracefs } from '../../src/tracefs/tree.js';

function setup(cpus = 2): { fs: Tracefs; tracing: Tracing; resized: RingHandle[] } {
  const fs = new Tracefs();
  const resized: RingHandle[] = [];
  const tracing = new Tracing(fs, allocateKernel(cpus, 8), { bufferSizeKb: 16 }, {
    onResize: (h) => resized.push(h), cpuOf: (pid) => pid % cpus, commOf: (pid) => (pid === 5 ? 'five' : undefined), tracer: () => 'nop',
  });
  return { fs, tracing, resized };
}

describe('trace files', () => {
  it('trace shows the header and marker lines without consuming them; trace_pipe consumes', async () => {
    const { fs } = setup();
    const m = await fs.open('trace_marker', 'w', { pid: 5, tgid: 5 });
    await m.ops.write!('first\n');
    await m.ops.write!('second');
    await fs.write('trace_marker', 'from control plane');
    const trace = await fs.read('trace');
    expect(trace).toMatch(/^# tracer: nop\n#\n# entries-in-buffer\/entries-written: 3\/3   #P:2\n/);
    expect(trace).toMatch(/ five-5 +\[001\] +\d+\.\d{6}: tracing_mark_write: first\n/);
    expect(trace).toMatch(/<idle>-0 +\[000\] .*: tracing_mark_write: from control plane\n/);
    expect(await fs.read('trace')).toBe(trace);
    const pipe = await fs.open('trace_pipe', 'r', { pid: 0, tgid: 0 });
    const text = await pipe.ops.read!(65536);
    expect(text.split('\n').filter(Boolean).map((l) => l.replace(/^.*: /, ''))).toEqual(['first', 'second', 'from control plane']);
    pipe.ops.close();
    expect(await fs.read('trace')).toMatch(/entries-written: 0\/0 /);
  });

  it('trace_pipe read blocks until a marker write, and close wakes it with EOF', async () => {
    const { fs } = setup();
    const pipe = await fs.open('trace_pipe', 'r', { pid: 0, tgid: 0 });
    const pending = pipe.ops.read!(4096);
    let settled = false;
    void Promise.resolve(pending).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await fs.write('trace_marker', 'wake up');
    expect(await pending).toMatch(/tracing_mark_write: wake up\n$/);
    const second = pipe.ops.read!(4096);
    pipe.ops.close();
    expect(await second).toBe('');
  });

  it('trace_pipe hands out whole lines up to the read size and keeps the rest', async () => {
    const { fs } = setup(1);
    for (let i = 0; i < 5; i++) await fs.write('trace_marker', `line ${i}`);
    const pipe = await fs.open('trace_pipe', 'r', { pid: 0, tgid: 0 });
    const a = await pipe.ops.read!(10);
    expect(a.split('\n').filter(Boolean)).toHaveLength(1);
    const b = await pipe.ops.read!(65536);
    expect(b.split('\n').filter(Boolean).map((l) => l.replace(/^.*: /, ''))).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    pipe.ops.close();
  });

  it('tracing_on=0 makes trace_marker fail with EBADF and records nothing', async () => {
    const { fs, tracing } = setup();
    tracing.setOn(false);
    expect(await code(fs.write('trace_marker', 'lost'))).toBe('EBADF');
    expect(await fs.read('trace')).toMatch(/entries-written: 0\/0 /);
  });

  it('buffer_size_kb: EBUSY while tracing is on; resizes and notifies while off; bad values EINVAL', async () => {
    const { fs, tracing, resized } = setup();
    expect(await fs.read('buffer_size_kb')).toBe('16\n');
    expect(await code(fs.write('buffer_size_kb', '64'))).toBe('EBUSY');
    expect(resized).toHaveLength(0);
    tracing.setOn(false);
    const old = tracing.handle;
    expect(await code(fs.write('buffer_size_kb', '0'))).toBe('EINVAL');
    expect(await code(fs.write('buffer_size_kb', 'lots'))).toBe('EINVAL');
    expect(tracing.handle).toBe(old);
    await fs.write('buffer_size_kb', '64');
    expect(await fs.read('buffer_size_kb')).toBe('64\n');
    expect(await fs.read('buffer_total_size_kb')).toBe('128\n');
    expect(resized).toEqual([tracing.handle]);
    expect(tracing.handle).not.toBe(old);
  });

  it('a trace_pipe reader blocked across a resize reads from the new ring', async () => {
    const { fs, tracing } = setup();
    const pipe = await fs.open('trace_pipe', 'r', { pid: 0, tgid: 0 });
    const pending = pipe.ops.read!(4096);
    tracing.setOn(false);
    await fs.write('buffer_size_kb', '32');
    tracing.setOn(true);
    await fs.write('trace_marker', 'after resize');
    expect(await pending).toMatch(/after resize/);
    pipe.ops.close();
  });

  it('per_cpu stats count entries and read events; echo > trace clears', async () => {
    const { fs } = setup();
    for (let i = 0; i < 3; i++) await fs.write('trace_marker', `m${i}`);
    expect(await fs.read('per_cpu/cpu0/stats')).toMatch(/^entries: 3\noverrun: 0\n.*read events: 0\n/s);
    await fs.write('trace', '');
    expect(await fs.read('per_cpu/cpu0/stats')).toMatch(/^entries: 0\n/);
    expect(await fs.read('trace')).toMatch(/entries-written: 0\/0 /);
  });

  it('trace_pipe_raw returns a whole page per read, as latin1, that decodePage accepts (the filling one once tracing is off)', async () => {
    const { fs, tracing } = setup();
    await fs.write('trace_marker', 'raw one');
    await fs.write('trace_marker', 'raw two');
    const raw = await fs.open('per_cpu/cpu0/trace_pipe_raw', 'r', { pid: 0, tgid: 0 });
    expect(await code(Promise.resolve().then(() => raw.ops.read!(100)))).toBe('EINVAL');
    tracing.setOn(false); // the filling page is handed out only once no more writes come
    const s = await raw.ops.read!(65536);
    const S = tracing.ring.params.subbufSize;
    expect(s.length).toBe(S);
    const page = decodePage(new Uint8Array(Buffer.from(s, 'latin1')));
    const texts = page.records.flatMap((r) => (r.kind === 'event' ? [new TextDecoder().decode(r.payload.subarray(4))] : []));
    expect(texts).toEqual(['raw one', 'raw two']);
    const blocked = raw.ops.read!(65536);
    raw.ops.close();
    expect(await blocked).toBe('');
  });

  it('tracepipe channels record only while open, count missed events, refuse removal while held', async () => {
    const { fs, tracing } = setup();
    const tp = tracing.tracepipe;
    tp.create('chan');
    expect(await code(Promise.resolve().then(() => tp.create('chan')))).toBe('EEXIST');
    expect(await code(Promise.resolve().then(() => tp.create('a/b')))).toBe('EINVAL');
    expect(fs.readdir('tracepipe')).toEqual(['chan']);
    expect(tp.write('chan', 0, 'nobody listens')).toBe(false);
    expect(tp.write('chan', 1, 'nobody listens')).toBe(false);
    expect(tp.missed('chan')).toEqual([1, 1]);
    const f = await fs.open('tracepipe/chan', 'r', { pid: 0, tgid: 0 });
    expect(tp.readers('chan')).toBe(1);
    expect(tp.write('chan', 1, new Uint8Array([0xca, 0xfe]))).toBe(true);
    expect(await f.ops.read!(4096)).toMatch(/\[001\] +\d+\.\d{6}: tracepipe: len=2 cafe\n$/);
    expect(await code(Promise.resolve().then(() => tp.remove('chan')))).toBe('EBUSY');
    f.ops.close();
    expect(tp.readers('chan')).toBe(0);
    tp.remove('chan');
    expect(fs.exists('tracepipe/chan')).toBe(false);
    expect(await code(Promise.resolve().then(() => tp.remove('chan')))).toBe('ENOENT');
  });

  it('shutdown ends every blocked reader', async () => {
    const { fs, tracing } = setup();
    const pipe = await fs.open('trace_pipe', 'r', { pid: 0, tgid: 0 });
    const raw = await fs.open('per_cpu/cpu1/trace_pipe_raw', 'r', { pid: 0, tgid: 0 });
    const a = pipe.ops.read!(4096);
    const b = raw.ops.read!(65536);
    tracing.shutdown();
    expect(await Promise.all([a, b])).toEqual(['', '']);
  });
});
