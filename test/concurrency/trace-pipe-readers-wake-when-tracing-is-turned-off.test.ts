// Claim: writing 0 to tracing_on wakes blocked pipe readers (trace.c rb_simple_write →
// ring_buffer_wake_waiters): trace_pipe_raw hands out the filling page; trace_pipe ends with ''
// (EOF) once it has read something (tracing_wait_pipe: `!tracer_tracing_is_on && iter->pos`), and
// a trace_pipe that never read, or a raw pipe with nothing to hand out, keeps blocking.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

/** 'pending' if `p` has not settled after a short grace (a bound, not a speed claim). */
async function pendingAfter<T>(p: Promise<T>, ms = 100): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

describe('tracing_on 0 wakes blocked pipe readers', () => {
  const boot = useLabs();

  it('trace_pipe_raw blocked on a partial page returns that page when tracing goes off', async () => {
    const lab = await boot({ cpus: 1 });
    const h = await lab.tracefs.open('per_cpu/cpu0/trace_pipe_raw');
    await lab.tracefs.write('trace_marker', 'partial-page-marker');
    const read = h.read(4096);
    expect(await pendingAfter(read)).toBe('pending'); // a partial page does not satisfy a read while tracing is on
    await lab.tracefs.write('tracing_on', '0');
    const page = await within(5000, 'raw read after tracing_on 0', read);
    expect(page.length).toBe(4096);
    expect(Buffer.from(page, 'latin1').toString('latin1')).toContain('partial-page-marker');
    await h.close();
  });

  it('trace_pipe_raw with nothing recorded keeps blocking after tracing goes off, until close', async () => {
    const lab = await boot({ cpus: 1 });
    const h = await lab.tracefs.open('per_cpu/cpu0/trace_pipe_raw');
    const read = h.read(4096);
    await lab.tracefs.write('tracing_on', '0');
    expect(await pendingAfter(read)).toBe('pending');
    await h.close();
    expect(await within(5000, 'raw read after close', read)).toBe('');
  });

  it('trace_pipe that has read ends a blocked read with "" when tracing goes off', async () => {
    const lab = await boot({ cpus: 2 });
    const h = await lab.tracefs.open('trace_pipe');
    await lab.tracefs.write('trace_marker', 'first');
    expect(await within(5000, 'first read', h.read(4096))).toMatch(/first/);
    const read = h.read(4096);
    expect(await pendingAfter(read)).toBe('pending');
    await lab.tracefs.write('tracing_on', '0');
    expect(await within(5000, 'trace_pipe read after tracing_on 0', read)).toBe('');
    await h.close();
  });

  it('trace_pipe that never read keeps blocking when tracing goes off (cat, then enable tracing)', async () => {
    const lab = await boot({ cpus: 2 });
    const h = await lab.tracefs.open('trace_pipe');
    const read = h.read(4096);
    await lab.tracefs.write('tracing_on', '0');
    expect(await pendingAfter(read)).toBe('pending');
    await lab.tracefs.write('tracing_on', '1');
    await lab.tracefs.write('trace_marker', 'after-enable');
    expect(await within(5000, 'read after re-enable', read)).toMatch(/after-enable/);
    await h.close();
  });
});
