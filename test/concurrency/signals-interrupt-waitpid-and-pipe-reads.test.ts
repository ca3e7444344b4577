// A signal interrupts the sleeping control-plane syscalls (wait4, read on trace_pipe) as signal(7)
// says for calls without SA_RESTART: a handled one runs its handler and the call fails with EINTR,
// a fatal default action ends the task, an ignored one leaves the sleep alone. An interrupted call
// leaves nothing behind: the child is still there to reap, the pipe's data reaches the next read.
import { describe, expect, it } from 'vitest';
import type { Lab } from '../../src/index.js';
import { useLabs, within } from '../helpers/lab-fixture.js';

const prog = (src: string): string => `data:text/javascript,${encodeURIComponent(src)}`;

// The child sleeps `ms` and exits 7. The parent sleeps in waitpid until the test signals it.
const WAITER = prog(`
export default function main(ctx, arg) {
  if (arg.role === 'child') { ctx.nanosleep(arg.ms * 1e6); return 7; }
  let ran = 0;
  if (arg.disp === 'handler') ctx.sigaction('SIGUSR1', () => { ran++; });
  if (arg.disp === 'ignore') ctx.sigaction('SIGUSR1', 'SIG_IGN');
  const c = ctx.clone({ arg: { role: 'child', ms: arg.childMs } });
  let first;
  try { first = ctx.waitpid(c); } catch (e) { if (e.code === undefined) throw e; first = e.code + ':ran=' + ran; } // a fatal signal unwinds through here
  let second; // after an interrupted wait the child is still there to reap
  try { second = ctx.waitpid(c); } catch (e) { second = e.code; }
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'result ' + JSON.stringify(first) + ' ' + JSON.stringify(second));
  return 0;
}`);

// Blocks in read(trace_pipe); on EINTR writes a marker itself and reads again.
const PIPER = prog(`
export default function main(ctx) {
  let ran = 0;
  ctx.sigaction('SIGUSR1', () => { ran++; });
  const fd = ctx.open('/sys/kernel/tracing/trace_pipe');
  let first;
  try { first = ctx.read(fd, 4096); } catch (e) { first = e.code; }
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'after-eintr');
  let again = '';
  while (!again.includes('after-eintr')) again += ctx.read(fd, 4096);
  return first === 'EINTR' && ran === 1 ? 0 : 3;
}`);

// Task.state is 'blocked' only while the control plane serves the task's wait4 or read, so a signal
// sent then finds the task asleep in that call (the process table's 'blocked' also covers open, clone…).
async function blocked(lab: Lab, pid: number): Promise<void> {
  await expect.poll(() => lab.task(pid)?.state, { timeout: 10_000 }).toBe('blocked');
}

async function markerResult(lab: Lab): Promise<string> {
  const text = await lab.tracefs.read('trace');
  return /result (.*)$/m.exec(text)?.[1] ?? `no result line in:\n${text}`;
}

describe('signals and sleeping control-plane syscalls', () => {
  const boot = useLabs();

  it('a handled signal ends waitpid with EINTR after its handler, and the child is still reaped later', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(WAITER, { arg: { disp: 'handler', childMs: 1500 } });
    await blocked(lab, t.pid);
    await lab.kill(t.pid, 'SIGUSR1');
    expect(await within(15_000, 'waiter', t.exited), t.error).toEqual({ code: 0 });
    expect(await markerResult(lab)).toMatch(/^"EINTR:ran=1" \{"code":7,"pid":\d+\}$/);
  });

  it('a signal whose default action terminates (SIGTERM) ends a task sleeping in waitpid at once', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(WAITER, { arg: { disp: 'default', childMs: 30_000 } });
    await blocked(lab, t.pid);
    await lab.kill(t.pid, 'SIGTERM');
    // The child sleeps 30 s: only the signal can have ended the parent within the bound.
    expect(await within(10_000, 'waiter', t.exited)).toEqual({ signal: 'SIGTERM' });
  });

  it('ignored signals (SIG_IGN, and SIGCHLD by default) do not end waitpid', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(WAITER, { arg: { disp: 'ignore', childMs: 1500 } });
    await blocked(lab, t.pid);
    await lab.kill(t.pid, 'SIGUSR1');
    await lab.kill(t.pid, 'SIGCHLD');
    expect(await within(15_000, 'waiter', t.exited), t.error).toEqual({ code: 0 });
    expect(await markerResult(lab)).toMatch(/^\{"code":7,"pid":\d+\} "ECHILD"$/); // the first wait reaped the child
  });

  it('a handled signal ends a blocked trace_pipe read with EINTR, and the data goes to the next read', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(PIPER);
    await blocked(lab, t.pid);
    await lab.kill(t.pid, 'SIGUSR1');
    expect(await within(15_000, 'piper', t.exited), t.error).toEqual({ code: 0 });
  });

  it('SIGTERM ends a task blocked in a trace_pipe read', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(prog(`export default function main(ctx) { ctx.read(ctx.open('/sys/kernel/tracing/trace_pipe'), 4096); return 0; }`));
    await blocked(lab, t.pid);
    await lab.kill(t.pid, 'SIGTERM');
    expect(await within(10_000, 'reader', t.exited)).toEqual({ signal: 'SIGTERM' });
  });
});
