// Claims about machines/uintr-receiver.ts, proven with pure transition()/initialTransition() and
// xstate/graph path coverage: every state is reachable, the UPID is released exactly when a
// registered receiver unregisters, execs or exits, no re-entry while handling, final accepts nothing.
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { uintrReceiverMachine, type UintrReceiverEvent } from '../../machines/uintr-receiver.js';

const input = { pid: 7 };

const events: UintrReceiverEvent[] = [
  { type: 'uintr.register', upid: 3 },
  { type: 'uintr.unregister' },
  { type: 'uintr.wait' },
  { type: 'uintr.wake' },
  { type: 'uintr.deliver', vector: 9 },
  { type: 'uintr.uiret' },
  { type: 'task.exec' },
  { type: 'task.exit' },
];

function run(...evs: UintrReceiverEvent[]) {
  let [snap] = initialTransition(uintrReceiverMachine, input);
  for (const ev of evs) [snap] = transition(uintrReceiverMachine, snap, ev);
  return snap;
}

const stateOf = (v: unknown): string => (typeof v === 'string' ? v : Object.entries(v as Record<string, string>).map(([k, s]) => `${k}.${s}`).join());

describe('uintr receiver machine', () => {
  it('starts unregistered with no UPID', () => {
    const [snap, actions] = initialTransition(uintrReceiverMachine, input);
    expect(snap.value).toBe('unregistered');
    expect(snap.context).toEqual({ pid: 7, upid: null });
    expect(actions).toEqual([]);
  });

  it('registers into registered.running, recording the UPID, and notifies', () => {
    const [snap, actions] = transition(uintrReceiverMachine, run(), { type: 'uintr.register', upid: 3 });
    expect(snap.value).toEqual({ registered: 'running' });
    expect(snap.context.upid).toBe(3);
    expect(actions.find((a) => a.type === 'notifyRegistered')?.params).toEqual({ pid: 7, upid: 3 });
  });

  it.each([
    ['uintr.unregister', 'unregistered', 'unregister'],
    ['task.exec', 'unregistered', 'exec'],
    ['task.exit', 'exited', 'exit'],
  ] as const)('%s from every registered sub-state releases the UPID once and lands in %s', (type, target, reason) => {
    for (const prefix of [[], [{ type: 'uintr.wait' }], [{ type: 'uintr.deliver', vector: 1 }]] as UintrReceiverEvent[][]) {
      const before = run({ type: 'uintr.register', upid: 3 }, ...prefix);
      const [after, actions] = transition(uintrReceiverMachine, before, { type } as UintrReceiverEvent);
      expect(after.value).toBe(target);
      expect(after.context.upid).toBeNull();
      const rel = actions.filter((a) => a.type === 'releaseUpid');
      expect(rel.map((a) => a.params)).toEqual([{ pid: 7, upid: 3, reason }]);
    }
  });

  it('exits without releasing anything when it never registered', () => {
    const [snap, actions] = transition(uintrReceiverMachine, run(), { type: 'task.exit' });
    expect(snap.value).toBe('exited');
    expect(actions.filter((a) => a.type === 'releaseUpid')).toEqual([]);
  });

  it('waits, is woken into handling, and returns to running at uiret; a timeout wakes to running', () => {
    const reg = run({ type: 'uintr.register', upid: 1 });
    expect(transition(uintrReceiverMachine, reg, { type: 'uintr.wait' })[0].value).toEqual({ registered: 'waiting' });
    const handling = run({ type: 'uintr.register', upid: 1 }, { type: 'uintr.wait' }, { type: 'uintr.deliver', vector: 4 });
    expect(handling.value).toEqual({ registered: 'handling' });
    expect(transition(uintrReceiverMachine, handling, { type: 'uintr.uiret' })[0].value).toEqual({ registered: 'running' });
    const timedOut = run({ type: 'uintr.register', upid: 1 }, { type: 'uintr.wait' }, { type: 'uintr.wake' });
    expect(timedOut.value).toEqual({ registered: 'running' });
  });

  it('does not re-enter: a delivery while handling is ignored until uiret', () => {
    const handling = run({ type: 'uintr.register', upid: 1 }, { type: 'uintr.deliver', vector: 4 });
    const [same, actions] = transition(uintrReceiverMachine, handling, { type: 'uintr.deliver', vector: 5 });
    expect(same.value).toEqual({ registered: 'handling' });
    expect(actions).toEqual([]);
    expect(same.can({ type: 'uintr.deliver', vector: 5 })).toBe(false);
  });

  it('refuses a second register while registered and registers again after unregister', () => {
    const reg = run({ type: 'uintr.register', upid: 1 });
    expect(reg.can({ type: 'uintr.register', upid: 2 })).toBe(false);
    const again = run({ type: 'uintr.register', upid: 1 }, { type: 'uintr.unregister' }, { type: 'uintr.register', upid: 2 });
    expect(again.context).toEqual({ pid: 7, upid: 2 });
  });

  it('runs the provided releaseUpid effect', () => {
    const freed: number[] = [];
    const m = uintrReceiverMachine.provide({ actions: { releaseUpid: (_, p) => freed.push(p.upid) } });
    let [snap, actions] = initialTransition(m, input);
    for (const ev of [{ type: 'uintr.register', upid: 5 }, { type: 'task.exit' }] as UintrReceiverEvent[]) {
      [snap, actions] = transition(m, snap, ev);
      actions.forEach((a) => a.exec?.(a.info, a.params));
    }
    expect(freed).toEqual([5]);
  });
});

describe('uintr receiver machine graph coverage', () => {
  const all = ['unregistered', 'registered.running', 'registered.waiting', 'registered.handling', 'exited'];

  it('reaches every state by some shortest path', () => {
    const reached = new Set(getShortestPaths(uintrReceiverMachine, { events, input }).map((p) => stateOf(p.state.value)));
    expect([...reached].sort()).toEqual([...all].sort());
  });

  it('holds a UPID exactly while registered, on every simple path', () => {
    for (const path of getSimplePaths(uintrReceiverMachine, { events, input })) {
      for (const step of path.steps) {
        const registered = typeof step.state.value === 'object';
        expect(step.state.context.upid !== null).toBe(registered);
      }
    }
  });

  it('accepts nothing once exited', () => {
    const finals = getShortestPaths(uintrReceiverMachine, { events, input }).map((p) => p.state).filter((s) => s.status === 'done');
    expect(finals.length).toBeGreaterThan(0);
    for (const snap of finals) for (const ev of events) expect(snap.can(ev)).toBe(false);
  });
});
