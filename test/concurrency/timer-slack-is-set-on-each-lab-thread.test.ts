// The lab's threads set their own timer slack (LabOptions.timerSlackNs, default 1 ns): the CPU actors
// and the user-task workers, each through its own /proc/TID/timerslack_ns; the booting thread keeps
// its slack. Bad values are EINVAL before anything boots. Real workers.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../src/index.js';
import { checkTimerSlack, setThreadTimerSlack, threadTimerSlack } from '../../src/kernel/timer-slack.js';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';
import { code } from '../helpers/errno-code.js';

const boot = useLabs();

async function taskSlack(lab: Lab): Promise<string> {
  const task = await lab.spawn(fixture('timer-slack'), { affinity: [0] });
  expect(await within(10_000, 'timer-slack task', task.exited)).toEqual({ code: 0 });
  const line = (await lab.tracefs.read('trace')).split('\n').find((l) => l.includes('timer_slack_ns='));
  return line?.replace(/^.*timer_slack_ns=/, '') ?? 'no line';
}

describe('timer slack of the lab threads', () => {
  it('CPU actors and user tasks run with the requested slack; the booting thread keeps its own', async () => {
    const mine = threadTimerSlack();
    expect(mine).not.toBeNull(); // Linux: /proc/TID/timerslack_ns exists
    const lab = await boot({ cpus: 2, timerSlackNs: 4321 });
    expect(lab.timerSlack).toEqual({ ns: 4321, failed: null });
    expect(await taskSlack(lab)).toBe('4321');
    expect(threadTimerSlack()).toBe(mine);
  });

  it('defaults to 1 ns, and inherit leaves the threads with the creating thread slack', async () => {
    const lab = await boot({ cpus: 1 });
    expect(lab.timerSlack).toEqual({ ns: 1, failed: null });
    expect(await taskSlack(lab)).toBe('1');
    const inherit = await boot({ cpus: 1, timerSlackNs: 'inherit' });
    expect(inherit.timerSlack).toEqual({ ns: threadTimerSlack(), failed: null });
  });

  it('rejects slack values outside 1..1e9 with EINVAL before booting anything', async () => {
    for (const bad of [0, -1, 1.5, 1_000_000_001, Number.NaN, '5', null]) {
      expect(await code(Lab.boot({ cpus: 1, timerSlackNs: bad as never }))).toBe('EINVAL');
      expect(() => checkTimerSlack(bad)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
    expect(checkTimerSlack(1)).toBe(1);
    expect(checkTimerSlack(1_000_000_000)).toBe(1_000_000_000);
  });

  it('setThreadTimerSlack in a plain worker changes that worker only', async () => {
    const mine = threadTimerSlack();
    const url = new URL('../../dist/src/kernel/timer-slack.js', import.meta.url).href;
    const w = new Worker(
      `import(${JSON.stringify(url)}).then((m) => { const st = m.setThreadTimerSlack(777); require('node:worker_threads').parentPort.postMessage({ st, now: m.threadTimerSlack() }); });`,
      { eval: true },
    );
    const [msg] = (await within(10_000, 'worker reply', once(w, 'message'))) as [{ st: unknown; now: number }];
    await w.terminate();
    expect(msg).toEqual({ st: { ns: 777, failed: null }, now: 777 });
    expect(threadTimerSlack()).toBe(mine);
    expect(setThreadTimerSlack('inherit')).toEqual({ ns: mine, failed: null });
  });
});
