// Claim: in a real lab, trace_marker writes from task workers land in `trace` (not consumed) and in
// `trace_pipe` (consumed); with tracing_on=0 nothing is recorded; buffer_size_kb is EBUSY while
// tracing is on and resizes while off; a task blocked reading trace_pipe is woken by a marker
// write, and a control-plane reader blocked in trace_pipe is woken by close. Bounded; no sleeps.
import { describe, expect, it } from 'vitest';
import { code } from '../helpers/errno-code.js';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

const boot = useLabs();

describe('trace files in a real lab', () => {
  it('marker lines from tasks show in trace and then in trace_pipe, each exactly once', async () => {
    const lab = await boot({ cpus: 2, tracing: { bufferSizeKb: 64 } });
    const tasks = await Promise.all([0, 1].map((c) => lab.spawn(fixture('marker'), { affinity: [c], arg: { count: 20, prefix: `t${c}` } })));
    expect(await within(20_000, 'markers', Promise.all(tasks.map((t) => t.exited)))).toEqual([{ code: 0 }, { code: 0 }]);
    const trace = await lab.tracefs.read('trace');
    expect(trace).toMatch(/^# tracer: \w+\n#\n# entries-in-buffer\/entries-written: 40\/40   #P:2\n/);
    const shown = (text: string): string[] => text.split('\n').filter((l) => l.includes('tracing_mark_write')).map((l) => l.replace(/^.*: /, ''));
    const expected = [0, 1].flatMap((c) => Array.from({ length: 20 }, (_, i) => `t${c} ${i}`)).sort();
    expect(shown(trace).sort()).toEqual(expected);
    expect(await lab.tracefs.read('trace')).toBe(trace);
    const pipe = await lab.tracefs.open('trace_pipe');
    let piped = '';
    while (shown(piped).length < 40) piped += await within(10_000, 'trace_pipe read', pipe.read(4096));
    await pipe.close();
    expect(shown(piped).sort()).toEqual(expected);
    for (const c of [0, 1]) expect(shown(piped).filter((l) => l.startsWith(`t${c}`))).toEqual(expected.filter((l) => l.startsWith(`t${c}`)).sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1])));
    expect(await lab.tracefs.read('trace')).toMatch(/entries-written: 0\/\d+ /);
    expect(await lab.tracefs.read('per_cpu/cpu0/stats')).toMatch(/^entries: 0\n/);
  });

  it('tracing_on=0 records nothing: marker writes fail with EBADF', async () => {
    const lab = await boot({ cpus: 2 });
    await lab.tracefs.write('tracing_on', '0');
    const t = await lab.spawn(fixture('marker'), { arg: { count: 5 } });
    expect(await within(20_000, 'marker', t.exited)).toEqual({ code: 5 }); // every write EBADF
    expect(await lab.tracefs.read('trace')).toMatch(/entries-written: 0\/0 /);
    await lab.tracefs.write('tracing_on', '1');
    const t2 = await lab.spawn(fixture('marker'), { arg: { count: 5 } });
    expect(await within(20_000, 'marker', t2.exited)).toEqual({ code: 0 });
    expect(await lab.tracefs.read('trace')).toMatch(/entries-written: 5\/5 /);
  });

  it('buffer_size_kb is EBUSY while tracing is on, and resizes while off; markers still land', async () => {
    const lab = await boot({ cpus: 2, tracing: { bufferSizeKb: 64 } });
    expect(await code(lab.tracefs.write('buffer_size_kb', '128'))).toBe('EBUSY');
    expect(await lab.tracefs.read('buffer_size_kb')).toBe('64\n');
    await lab.tracefs.write('tracing_on', '0');
    await lab.tracefs.write('buffer_size_kb', '128');
    expect(await lab.tracefs.read('buffer_size_kb')).toBe('128\n');
    await lab.tracefs.write('tracing_on', '1');
    const t = await lab.spawn(fixture('marker'), { arg: { count: 3, prefix: 'resized' } });
    expect(await within(20_000, 'marker', t.exited)).toEqual({ code: 0 });
    expect(await lab.tracefs.read('trace')).toMatch(/tracing_mark_write: resized 2\n/);
  });

  it('a task blocked reading trace_pipe is woken by a marker write; a control-plane reader by close', async () => {
    const lab = await boot({ cpus: 2 });
    const reader = await lab.spawn(fixture('marker-pipe'), { affinity: [0], arg: { expect: 'ring the bell' } });
    // The reader blocks in read(); a write from another task wakes it.
    const writer = await lab.spawn(fixture('marker'), { affinity: [1], arg: { count: 1, prefix: 'ring the bell' } });
    expect(await within(20_000, 'writer', writer.exited)).toEqual({ code: 0 });
    expect(await within(20_000, 'blocked reader woken', reader.exited)).toEqual({ code: 0 });
    const pipe = await lab.tracefs.open('trace_pipe');
    const pending = pipe.read(4096);
    await pipe.close();
    expect(await within(5_000, 'read ended by close', pending)).toBe('');
  });
});
