// Claims about machines/timerlat-fd.ts, proven with pure transition()/initialTransition() and
// xstate/graph path coverage: the seed's open/read loop, signals, migration (dead fd, EINVAL,
// task alive), the SIGKILL path, release from every state, and events ignored where they must be.
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import {
  TAINT_MIGRATED,
  TAINT_READ_MIGRATE,
  timerlatFdMachine,
  type TimerlatFdEvent,
} from '../../machines/timerlat-fd.js';

type Snap = ReturnType<typeof initialTransition<typeof timerlatFdMachine>>[0];
type Actions = ReturnType<typeof transition<typeof timerlatFdMachine>>[1];

const input = { cpu: 0 };
const pid = 77;

const open: TimerlatFdEvent = { type: 'fd.open', pid, cpu: 0 };
const read: TimerlatFdEvent = { type: 'fd.read' };
const readHere: TimerlatFdEvent = { type: 'fd.read', cpu: 0 };
const readElsewhere: TimerlatFdEvent = { type: 'fd.read', cpu: 2 };
const fired: TimerlatFdEvent = { type: 'fd.timer_fired' };
const signal: TimerlatFdEvent = { type: 'fd.signal' };
const migrate: TimerlatFdEvent = { type: 'task.migrated', from: 0, to: 1 };
const stopped: TimerlatFdEvent = { type: 'workload.stopped' };
const close: TimerlatFdEvent = { type: 'fd.close' };
const exited: TimerlatFdEvent = { type: 'task.exited', pid };

/** One of each event, with the payloads the traversal explores. */
const events: TimerlatFdEvent[] = [open, read, readElsewhere, fired, signal, migrate, stopped, close, exited];

const allStates = ['closed', 'opened', 'waiting', 'in-user', 'migrated', 'killed'] as const;
const holderStates = ['opened', 'waiting', 'in-user', 'migrated', 'killed'] as const;

/** How to reach each state from closed. */
const reach: Record<(typeof allStates)[number], TimerlatFdEvent[]> = {
  closed: [],
  opened: [open],
  waiting: [open, read],
  'in-user': [open, read, fired],
  migrated: [open, read, fired, migrate],
  killed: [open, read, stopped],
};

/** Apply events in order from the initial snapshot. */
function run(...evs: TimerlatFdEvent[]): Snap {
  let [snap] = initialTransition(timerlatFdMachine, input);
  for (const ev of evs) [snap] = transition(timerlatFdMachine, snap, ev);
  return snap;
}

/** The effect stubs an edge runs, as [type, params] in order. */
const effects = (actions: Actions) => actions.map((a) => [a.type, a.params]);

/** Assert that `ev` leaves `snap` as it is and runs nothing. */
function expectIgnored(snap: Snap, ev: TimerlatFdEvent) {
  const [next, actions] = transition(timerlatFdMachine, snap, ev);
  expect(next.value, `${String(snap.value)} + ${JSON.stringify(ev)}`).toBe(snap.value);
  expect(next.context).toEqual(snap.context);
  expect(actions).toEqual([]);
}

const closedContext = {
  cpu: 0,
  pid: null,
  timerArmed: false,
  pendingMigration: null,
  migration: null,
  lastError: null,
};

describe('timerlat_fd machine', () => {
  it('starts closed on its CPU with no holder, no timer and no error, running nothing', () => {
    const [snap, actions] = initialTransition(timerlatFdMachine, input);
    expect(snap.value).toBe('closed');
    expect(snap.context).toEqual(closedContext);
    expect(actions).toEqual([]);
  });

  it('records the holder on open, and ignores an open meant for another CPU file', () => {
    const [snap, actions] = transition(timerlatFdMachine, run(), open);
    expect(snap.value).toBe('opened');
    expect(snap.context.pid).toBe(pid);
    expect(actions).toEqual([]);
    expectIgnored(run(), { type: 'fd.open', pid, cpu: 1 });
  });

  it('runs the seed loop: read arms, the timer wakes, the next read records user-ret and re-arms', () => {
    const holder = { cpu: 0, pid };
    let [snap, actions] = transition(timerlatFdMachine, run(open), read);
    expect(snap.value).toBe('waiting');
    expect(snap.context.timerArmed).toBe(true);
    expect(effects(actions)).toEqual([['armTimer', { ...holder, first: true }]]);

    [snap, actions] = transition(timerlatFdMachine, snap, fired);
    expect(snap.value).toBe('in-user');
    expect(snap.context.timerArmed).toBe(false);
    expect(effects(actions)).toEqual([['wakeReader', { ...holder, reason: 'timer' }]]);

    [snap, actions] = transition(timerlatFdMachine, snap, readHere);
    expect(snap.value).toBe('waiting');
    expect(effects(actions)).toEqual([
      ['recordUserRet', holder],
      ['armTimer', { ...holder, first: false }],
    ]);
    expect(snap.context.lastError).toBeNull();
  });

  it('returns a signalled read early with no sample and keeps the timer armed, as the kernel does', () => {
    const [user, actions] = transition(timerlatFdMachine, run(open, read), signal);
    expect(user.value).toBe('in-user');
    expect(user.context.timerArmed).toBe(true);
    expect(effects(actions)).toEqual([['wakeReader', { cpu: 0, pid, reason: 'signal' }]]);
    // The timer has not fired: read() sees diff < 0 and returns at once, no user-ret, no re-arm.
    expectIgnored(user, read);
    const [firedInUser, firedActions] = transition(timerlatFdMachine, user, fired);
    expect(firedInUser.value).toBe('in-user');
    expect(firedInUser.context.timerArmed).toBe(false);
    expect(firedActions).toEqual([]);
    const [, readActions] = transition(timerlatFdMachine, firedInUser, read);
    expect(readActions.map((a) => a.type)).toEqual(['recordUserRet', 'armTimer']);
  });

  it.each(['opened', 'in-user'] as const)(
    'kills the fd, not the task, when the holder migrates away from %s (sched_migrate_task)',
    (from) => {
      const [dead, actions] = transition(timerlatFdMachine, run(...reach[from]), migrate);
      expect(dead.value).toBe('migrated');
      expect(dead.context.migration).toEqual({ from: 0, to: 1 });
      expect(dead.context.lastError).toBeNull();
      expect(effects(actions)).toEqual([
        [
          'taintMigrate',
          { cpu: 0, pid, from: 0, to: 1, detectedBy: 'sched-migrate', taint: TAINT_MIGRATED },
        ],
      ]);
      expect(actions.map((a) => a.type)).not.toContain('sendSigkill');
    },
  );

  it.each(['opened', 'in-user'] as const)(
    'fails a read from another CPU with EINVAL and kills the fd from %s (timerlat_fd_read)',
    (from) => {
      const [dead, actions] = transition(timerlatFdMachine, run(...reach[from]), readElsewhere);
      expect(dead.value).toBe('migrated');
      expect(dead.context.lastError).toBe('EINVAL');
      expect(dead.context.migration).toEqual({ from: 0, to: 2 });
      expect(effects(actions)).toEqual([
        ['taintMigrate', { cpu: 0, pid, from: 0, to: 2, detectedBy: 'read', taint: TAINT_READ_MIGRATE }],
      ]);
    },
  );

  it('answers every read of a migrated fd with EINVAL, then close frees the CPU for a new open', () => {
    let [snap, actions] = transition(timerlatFdMachine, run(...reach.migrated), read);
    expect(snap.value).toBe('migrated');
    expect(snap.context.lastError).toBe('EINVAL');
    expect(actions).toEqual([]);
    [snap, actions] = transition(timerlatFdMachine, snap, readHere);
    expect(snap.context.lastError).toBe('EINVAL');
    expect(actions).toEqual([]);

    [snap, actions] = transition(timerlatFdMachine, snap, close);
    expect(snap.value).toBe('closed');
    expect(snap.context).toEqual(closedContext);
    expect(effects(actions)).toEqual([['cancelTimer', { cpu: 0, pid }]]);
    const [again] = transition(timerlatFdMachine, snap, { type: 'fd.open', pid: 78, cpu: 0 });
    expect(again.value).toBe('opened');
    expect(again.context.pid).toBe(78);
  });

  it('taints again for each read from another CPU and each new departure, as the kernel does', () => {
    const dead = run(...reach.migrated);
    const [, readActions] = transition(timerlatFdMachine, dead, readElsewhere);
    expect(effects(readActions)).toEqual([
      ['taintMigrate', { cpu: 0, pid, from: 0, to: 2, detectedBy: 'read', taint: TAINT_READ_MIGRATE }],
    ]);
    const [snap, hookActions] = transition(timerlatFdMachine, dead, { type: 'task.migrated', from: 0, to: 3 });
    expect(snap.context.migration).toEqual({ from: 0, to: 1 });
    expect(effects(hookActions)).toEqual([
      ['taintMigrate', { cpu: 0, pid, from: 0, to: 3, detectedBy: 'sched-migrate', taint: TAINT_MIGRATED }],
    ]);
    // Coming back to the file's CPU, or moving between other CPUs, is not a departure.
    expectIgnored(dead, { type: 'task.migrated', from: 1, to: 0 });
    expectIgnored(dead, { type: 'task.migrated', from: 1, to: 2 });
  });

  it('ignores migrations that do not leave this CPU or belong to another task', () => {
    for (const from of ['opened', 'in-user', 'waiting'] as const) {
      const snap = run(...reach[from]);
      expectIgnored(snap, { type: 'task.migrated', from: 1, to: 2 });
      expectIgnored(snap, { type: 'task.migrated', from: 0, to: 0 });
      expectIgnored(snap, { type: 'task.migrated', from: 0, to: 1, pid: pid + 1 });
    }
    expect(run(open, { type: 'task.migrated', from: 0, to: 1, pid }).value).toBe('migrated');
  });

  it.each([
    ['fd.timer_fired', fired, 'timer'],
    ['fd.signal', signal, 'signal'],
  ] as const)(
    'defers a migration seen while the read sleeps migrate-disabled until it returns by %s',
    (_name, ev, reason) => {
      const [pending, deferActions] = transition(timerlatFdMachine, run(open, read), migrate);
      expect(pending.value).toBe('waiting');
      expect(pending.context.pendingMigration).toEqual({ from: 0, to: 1 });
      expect(deferActions).toEqual([]);
      const [dead, actions] = transition(timerlatFdMachine, pending, ev);
      expect(dead.value).toBe('migrated');
      expect(dead.context.pendingMigration).toBeNull();
      expect(dead.context.migration).toEqual({ from: 0, to: 1 });
      expect(effects(actions)).toEqual([
        ['wakeReader', { cpu: 0, pid, reason }],
        [
          'taintMigrate',
          { cpu: 0, pid, from: 0, to: 1, detectedBy: 'sched-migrate', taint: TAINT_MIGRATED },
        ],
      ]);
    },
  );

  it.each(['opened', 'waiting', 'in-user', 'migrated'] as const)(
    'SIGKILLs the holder when the workload stops in %s, and holds the CPU until the release',
    (from) => {
      const [killed, actions] = transition(timerlatFdMachine, run(...reach[from]), stopped);
      expect(killed.value).toBe('killed');
      expect(killed.context.pid).toBe(pid);
      expect(effects(actions)).toEqual([['sendSigkill', { cpu: 0, pid }]]);
      for (const ev of [open, read, readElsewhere, fired, signal, migrate, stopped]) expectIgnored(killed, ev);
      expectIgnored(killed, { type: 'task.exited', pid: pid + 1 });
      const [closed, releaseActions] = transition(timerlatFdMachine, killed, exited);
      expect(closed.value).toBe('closed');
      expect(closed.context).toEqual(closedContext);
      expect(effects(releaseActions)).toEqual([['cancelTimer', { cpu: 0, pid }]]);
    },
  );

  it.each(holderStates)('releases on close and on the holder exit from %s, cancelling the timer', (from) => {
    for (const ev of [close, exited, { type: 'task.exited' } as const]) {
      const [closed, actions] = transition(timerlatFdMachine, run(...reach[from]), ev);
      expect(closed.value).toBe('closed');
      expect(closed.context).toEqual(closedContext);
      const types = actions.map((a) => a.type);
      expect(types[types.length - 1]).toBe('cancelTimer');
    }
  });

  it('wakes a sleeping reader on close, since its cancelled timer never would', () => {
    const [, actions] = transition(timerlatFdMachine, run(open, read), close);
    expect(effects(actions)).toEqual([
      ['wakeReader', { cpu: 0, pid, reason: 'close' }],
      ['cancelTimer', { cpu: 0, pid }],
    ]);
  });

  it('ignores the exit of a task that is not the holder', () => {
    for (const from of holderStates) expectIgnored(run(...reach[from]), { type: 'task.exited', pid: pid + 1 });
  });

  it('ignores everything but an open while closed', () => {
    for (const ev of events.filter((e) => e !== open)) expectIgnored(run(), ev);
  });

  it('ignores events with no meaning for the state they arrive in', () => {
    for (const ev of [open, fired, signal]) expectIgnored(run(open), ev);
    for (const ev of [open, read, readElsewhere]) expectIgnored(run(open, read), ev);
    for (const ev of [open, fired, signal]) expectIgnored(run(...reach['in-user']), ev);
    for (const ev of [open, fired, signal]) expectIgnored(run(...reach.migrated), ev);
  });

  it('runs no effect until the caller provides one, and runs the provided ones in order', () => {
    const seen: string[] = [];
    const provided = timerlatFdMachine.provide({
      actions: {
        armTimer: (_, p) => seen.push(`arm ${p.cpu} ${p.pid} ${p.first}`),
        cancelTimer: (_, p) => seen.push(`cancel ${p.cpu} ${p.pid}`),
        recordUserRet: (_, p) => seen.push(`user-ret ${p.cpu} ${p.pid}`),
        sendSigkill: (_, p) => seen.push(`kill ${p.pid}`),
        taintMigrate: (_, p) => seen.push(`taint ${p.from}->${p.to} ${p.taint}`),
        wakeReader: (_, p) => seen.push(`wake ${p.pid} ${p.reason}`),
      },
    });
    let [snap, actions] = initialTransition(provided, input);
    const script: TimerlatFdEvent[] = [
      open, read, fired, read, fired, migrate, read, close, // dies by migration, closes
      open, read, stopped, exited, // SIGKILLed, released by its exit
    ];
    for (const ev of script) {
      [snap, actions] = transition(provided, snap, ev);
      actions.forEach((a) => a.exec?.(a.info, a.params));
    }
    expect(snap.value).toBe('closed');
    expect(seen).toEqual([
      'arm 0 77 true',
      'wake 77 timer',
      'user-ret 0 77',
      'arm 0 77 false',
      'wake 77 timer',
      `taint 0->1 ${TAINT_MIGRATED}`,
      'cancel 0 77',
      'arm 0 77 true',
      'kill 77',
      'cancel 0 77',
    ]);
  });
});

describe('timerlat_fd machine graph coverage', () => {
  it('reaches every state by some shortest path', () => {
    const paths = getShortestPaths(timerlatFdMachine, { events, input });
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual([...allStates].sort());
  });

  it('runs every effect stub on some edge of the reachable graph', () => {
    // Every event from every reachable state: simple paths alone never take an edge back into
    // a state they have visited (close → closed, user-ret → waiting).
    const stubs = new Set<string>();
    for (const path of getShortestPaths(timerlatFdMachine, { events, input })) {
      for (const ev of events) {
        transition(timerlatFdMachine, path.state, ev)[1].forEach((a) => stubs.add(a.type));
      }
    }
    expect([...stubs].sort()).toEqual(
      ['armTimer', 'cancelTimer', 'recordUserRet', 'sendSigkill', 'taintMigrate', 'wakeReader'].sort(),
    );
  });

  it('has no final state: every reachable snapshot is live and close or exit releases it to closed', () => {
    for (const path of getShortestPaths(timerlatFdMachine, { events, input })) {
      expect(path.state.status).toBe('active');
      if (path.state.value === 'closed') continue;
      for (const ev of [close, exited]) {
        const [closed] = transition(timerlatFdMachine, path.state, ev);
        expect(closed.value).toBe('closed');
        expect(closed.context).toEqual(closedContext);
      }
    }
  });

  it('keeps its invariants on every simple path', () => {
    for (const path of getSimplePaths(timerlatFdMachine, { events, input })) {
      for (const s of [...path.steps.map((step) => step.state), path.state]) {
        const value = String(s.value);
        const c = s.context;
        // A holder exactly when open; EINVAL only from a dead fd; a deferred migration only mid-read.
        expect(c.pid === null, value).toBe(value === 'closed');
        if (c.lastError !== null) expect(['migrated', 'killed']).toContain(value);
        if (c.pendingMigration !== null) expect(['waiting', 'killed']).toContain(value);
        if (c.migration !== null) expect(['migrated', 'killed']).toContain(value);
        if (value === 'migrated') expect(c.migration).not.toBeNull();
        if (value === 'waiting') expect(c.timerArmed).toBe(true);
        if (value === 'closed' || value === 'opened') expect(c.timerArmed).toBe(false);
      }
    }
  });
});
