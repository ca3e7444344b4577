// Claims about machines/task.ts, proven with pure transition()/initialTransition() and
// xstate/graph path coverage: every state is reachable, final states accept nothing.
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { taskMachine, type TaskEvent } from '../../machines/task.js';

const input = { pid: 42, comm: 'worker' };

/** One of each event, with the payloads the traversal explores. */
const events: TaskEvent[] = [
  { type: 'task.started' },
  { type: 'task.blocked', syscall: 'nanosleep' },
  { type: 'task.woke' },
  { type: 'task.exited', code: 3 },
  { type: 'task.signalled', signal: 'SIGTERM' },
  { type: 'task.signalled', signal: 'SIGKILL' },
  { type: 'task.killed' },
];

const allStates = ['created', 'running', 'blocked', 'exited', 'killed'] as const;

/** Apply events in order from the initial snapshot. */
function run(...evs: TaskEvent[]) {
  let [snap] = initialTransition(taskMachine, input);
  for (const ev of evs) [snap] = transition(taskMachine, snap, ev);
  return snap;
}

describe('task machine', () => {
  it('starts in created with pid, tgid defaulting to pid, comm and no exit or syscall', () => {
    const [snap, actions] = initialTransition(taskMachine, input);
    expect(snap.value).toBe('created');
    expect(snap.context).toEqual({ pid: 42, tgid: 42, comm: 'worker', exit: null, syscall: null });
    expect(actions).toEqual([]);
    const [other] = initialTransition(taskMachine, { pid: 43, tgid: 42, comm: 'thr' });
    expect(other.context.tgid).toBe(42);
  });

  it('records the syscall it blocks in and clears it on wake', () => {
    const blocked = run({ type: 'task.started' }, { type: 'task.blocked', syscall: 'nanosleep' });
    expect(blocked.value).toBe('blocked');
    expect(blocked.context.syscall).toBe('nanosleep');
    const [woke] = transition(taskMachine, blocked, { type: 'task.woke' });
    expect(woke.value).toBe('running');
    expect(woke.context.syscall).toBeNull();
  });

  it('exits with the code passed to exit() and reports it through the notifyExited stub', () => {
    const running = run({ type: 'task.started' });
    const [done, actions] = transition(taskMachine, running, { type: 'task.exited', code: 3 });
    expect(done.value).toBe('exited');
    expect(done.status).toBe('done');
    expect(done.context.exit).toEqual({ code: 3 });
    const notify = actions.find((a) => a.type === 'notifyExited');
    expect(notify?.params).toEqual({ pid: 42, exit: { code: 3 } });
  });

  it('ends as exited-by-signal on a fatal non-KILL signal, even while blocked', () => {
    const snap = run(
      { type: 'task.started' },
      { type: 'task.blocked', syscall: 'read' },
      { type: 'task.signalled', signal: 'SIGTERM' },
    );
    expect(snap.value).toBe('exited');
    expect(snap.context.exit).toEqual({ signal: 'SIGTERM' });
  });

  it('treats SIGKILL sent as task.signalled the same as task.killed', () => {
    const viaSignal = run({ type: 'task.started' }, { type: 'task.signalled', signal: 'SIGKILL' });
    const viaKill = run({ type: 'task.started' }, { type: 'task.killed' });
    expect(viaSignal.value).toBe('killed');
    expect(viaSignal.context).toEqual(viaKill.context);
  });

  it.each(['created', 'running', 'blocked'] as const)(
    'is killed by SIGKILL from %s and reports {signal: SIGKILL} through notifyKilled',
    (from) => {
      const prefix: Record<typeof from, TaskEvent[]> = {
        created: [],
        running: [{ type: 'task.started' }],
        blocked: [{ type: 'task.started' }, { type: 'task.blocked', syscall: 'uintr_wait' }],
      };
      const before = run(...prefix[from]);
      expect(before.value).toBe(from);
      const [after, actions] = transition(taskMachine, before, { type: 'task.killed' });
      expect(after.value).toBe('killed');
      expect(after.status).toBe('done');
      expect(after.context.exit).toEqual({ signal: 'SIGKILL' });
      expect(actions.find((a) => a.type === 'notifyKilled')?.params).toEqual({
        pid: 42,
        exit: { signal: 'SIGKILL' },
      });
    },
  );

  it('ignores events that make no sense in the current state', () => {
    const created = run();
    expect(transition(taskMachine, created, { type: 'task.woke' })[0].value).toBe('created');
    expect(transition(taskMachine, created, { type: 'task.exited', code: 0 })[0].value).toBe('created');
    const running = run({ type: 'task.started' });
    expect(transition(taskMachine, running, { type: 'task.woke' })[0].value).toBe('running');
    expect(transition(taskMachine, running, { type: 'task.started' })[0].value).toBe('running');
  });

  it('runs no effect until the caller provides one, and runs the provided one', () => {
    const seen: string[] = [];
    const provided = taskMachine.provide({
      actions: {
        notifyRunning: (_, p) => seen.push(`running ${p.pid}`),
        notifyBlocked: (_, p) => seen.push(`blocked ${p.pid} ${p.syscall}`),
        notifyExited: (_, p) => seen.push(`exited ${p.pid} ${JSON.stringify(p.exit)}`),
      },
    });
    let [snap, actions] = initialTransition(provided, input);
    const exec = (a: typeof actions) => a.forEach((x) => x.exec?.(x.info, x.params));
    for (const ev of [
      { type: 'task.started' },
      { type: 'task.blocked', syscall: 'nanosleep' },
      { type: 'task.woke' },
      { type: 'task.exited', code: 0 },
    ] as TaskEvent[]) {
      [snap, actions] = transition(provided, snap, ev);
      exec(actions);
    }
    expect(seen).toEqual(['running 42', 'blocked 42 nanosleep', 'running 42', 'exited 42 {"code":0}']);
  });
});

describe('task machine graph coverage', () => {
  it('reaches every state by some shortest path', () => {
    const paths = getShortestPaths(taskMachine, { events, input });
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual([...allStates].sort());
  });

  it('reaches exited by exit code and by signal, and killed from every live state (simple paths)', () => {
    const paths = getSimplePaths(taskMachine, { events, input });
    const endings = new Set(
      paths
        .filter((p) => p.state.status === 'done')
        .map((p) => {
          const steps = p.steps.map((s) => s.event.type);
          const from = p.steps.length >= 2 ? String(p.steps[p.steps.length - 2]!.state.value) : 'created';
          return `${from} -${steps[steps.length - 1]}-> ${String(p.state.value)} ${JSON.stringify(p.state.context.exit)}`;
        }),
    );
    for (const from of ['created', 'running', 'blocked']) {
      expect(endings).toContain(`${from} -task.killed-> killed {"signal":"SIGKILL"}`);
    }
    expect(endings).toContain('running -task.exited-> exited {"code":3}');
    expect(endings).toContain('blocked -task.signalled-> exited {"signal":"SIGTERM"}');
  });

  it('accepts nothing once final: every event leaves an exited or killed snapshot unchanged', () => {
    const finals = getShortestPaths(taskMachine, { events, input })
      .map((p) => p.state)
      .filter((s) => s.status === 'done');
    expect(new Set(finals.map((s) => String(s.value)))).toEqual(new Set(['exited', 'killed']));
    for (const snap of finals) {
      for (const ev of events) {
        expect(snap.can(ev)).toBe(false);
        const [next, actions] = transition(taskMachine, snap, ev);
        expect(next.value).toBe(snap.value);
        expect(next.context).toEqual(snap.context);
        expect(actions).toEqual([]);
      }
    }
  });

  it('never leaves a syscall recorded outside blocked, and never an exit before a final state', () => {
    for (const path of getSimplePaths(taskMachine, { events, input })) {
      for (const step of path.steps) {
        const s = step.state;
        if (s.value !== 'blocked') expect(s.context.syscall).toBeNull();
        expect(s.context.exit === null).toBe(s.status !== 'done');
      }
    }
  });
});
