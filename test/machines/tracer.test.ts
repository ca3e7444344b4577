// Claims about machines/tracer.ts, proven with pure transition()/initialTransition() and
// xstate/graph path coverage: every state is reachable, every stub fires on its edge with its
// params, events that mean nothing in a state are ignored, and no state is a dead end.
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { tracerMachine, type TracerEvent } from '../../machines/tracer.js';

type Snap = ReturnType<typeof initialTransition<typeof tracerMachine>>[0];
type Actions = ReturnType<typeof transition<typeof tracerMachine>>[1];

const start: TracerEvent = { type: 'tracer.start', tracer: 'timerlat' };
const startOff: TracerEvent = { type: 'tracer.start', tracer: 'timerlat', tracingOn: false };
const startNop: TracerEvent = { type: 'tracer.start', tracer: 'nop' };
const tracingOff: TracerEvent = { type: 'tracer.stop', reason: 'tracing-off' };
const changed: TracerEvent = { type: 'tracer.stop', reason: 'tracer-changed' };
const restart: TracerEvent = { type: 'tracer.restart' };
const configure: TracerEvent = { type: 'tracer.configure', file: 'osnoise/cpus' };
const irqHit: TracerEvent = {
  type: 'tracer.threshold_hit',
  cpu: 3,
  context: 'irq',
  latencyNs: 50_000,
  thresholdUs: 50,
};
const underThreshold: TracerEvent = { ...irqHit, latencyNs: 49_999 } as TracerEvent;
const migrate: TracerEvent = { type: 'tracer.exception', cpu: 1, taint: 'timerlat user-thread migrated' };

/** One of each event, with the payloads the traversal explores. */
const events: TracerEvent[] = [
  start,
  startOff,
  startNop,
  tracingOff,
  changed,
  restart,
  configure,
  irqHit,
  underThreshold,
  migrate,
];

const allStates = ['off', 'running', 'stopped'] as const;

/** Apply events in order from the initial snapshot. */
function run(...evs: TracerEvent[]): Snap {
  let [snap] = initialTransition(tracerMachine);
  for (const ev of evs) [snap] = transition(tracerMachine, snap, ev);
  return snap;
}

/** The effect stubs an edge runs, as [type, params] in order. */
const effects = (actions: Actions) => actions.map((a) => [a.type, a.params]);

/** Assert that `ev` leaves `snap` as it is and runs nothing. */
function expectIgnored(snap: Snap, ev: TracerEvent) {
  const [next, actions] = transition(tracerMachine, snap, ev);
  expect(next.value, `${String(snap.value)} + ${ev.type}`).toBe(snap.value);
  expect(next.context).toEqual(snap.context);
  expect(actions).toEqual([]);
}

// Bounds the traversal: the stop counter would make every restart/hit cycle a new state.
const serializeState = (s: Snap) =>
  JSON.stringify([s.value, s.context.tracer, s.context.stop?.kind ?? null, Math.min(s.context.stops, 2)]);

describe('tracer machine', () => {
  it('starts off, with no tracer, no stop and no stop count, running nothing', () => {
    const [snap, actions] = initialTransition(tracerMachine);
    expect(snap.value).toBe('off');
    expect(snap.context).toEqual({ tracer: null, stop: null, stops: 0 });
    expect(actions).toEqual([]);
  });

  it('starts the workload, then enables the buffer, when a tracer starts with tracing_on=1', () => {
    const [snap, actions] = transition(tracerMachine, run(), start);
    expect(snap.value).toBe('running');
    expect(snap.context.tracer).toBe('timerlat');
    expect(effects(actions)).toEqual([
      ['startWorkload', { tracer: 'timerlat' }],
      ['enableBuffer', { tracer: 'timerlat' }],
    ]);
    expect(run({ type: 'tracer.start', tracer: 'timerlat', tracingOn: true }).value).toBe('running');
  });

  it('starts the workload into an off buffer when tracing_on=0 (timerlat_tracer_init ignores it)', () => {
    const [snap, actions] = transition(tracerMachine, run(), startOff);
    expect(snap.value).toBe('stopped');
    expect(snap.context).toEqual({ tracer: 'timerlat', stop: null, stops: 0 });
    expect(effects(actions)).toEqual([['startWorkload', { tracer: 'timerlat' }]]);
    const [on, onActions] = transition(tracerMachine, snap, restart);
    expect(on.value).toBe('running');
    expect(effects(onActions)).toEqual([['enableBuffer', { tracer: 'timerlat' }]]);
  });

  it('treats a nop start as nothing to run: off stays off', () => {
    expectIgnored(run(), startNop);
  });

  it('stops on an irq threshold hit: buffer off, stop recorded and reported, workload kept', () => {
    const [snap, actions] = transition(tracerMachine, run(start), irqHit);
    expect(snap.value).toBe('stopped');
    const stop = { kind: 'threshold', cpu: 3, context: 'irq', latencyNs: 50_000, thresholdUs: 50 };
    expect(snap.context).toEqual({ tracer: 'timerlat', stop, stops: 1 });
    expect(effects(actions)).toEqual([
      ['disableBuffer', { tracer: 'timerlat', reason: 'threshold' }],
      ['reportStop', { tracer: 'timerlat', stop }],
    ]);
    expect(actions.map((a) => a.type)).not.toContain('stopWorkload');
  });

  it('applies the kernel test time_to_us(latency) >= threshold, and 0 disables it', () => {
    const running = run(start);
    expectIgnored(running, underThreshold);
    expectIgnored(running, { ...irqHit, thresholdUs: 0 } as TracerEvent);
    for (const context of ['thread', 'user-ret'] as const) {
      const ev: TracerEvent = { type: 'tracer.threshold_hit', cpu: 0, context, latencyNs: 100_999, thresholdUs: 100 };
      const [snap] = transition(tracerMachine, running, ev);
      expect(snap.value).toBe('stopped');
      expect(snap.context.stop).toMatchObject({ kind: 'threshold', context, latencyNs: 100_999 });
    }
  });

  it('stops on an exception (user thread migrated) and reports its taint and cpu', () => {
    const [snap, actions] = transition(tracerMachine, run(start), migrate);
    expect(snap.value).toBe('stopped');
    const stop = { kind: 'exception', cpu: 1, taint: 'timerlat user-thread migrated' };
    expect(snap.context.stop).toEqual(stop);
    expect(effects(actions)).toEqual([
      ['disableBuffer', { tracer: 'timerlat', reason: 'exception' }],
      ['reportStop', { tracer: 'timerlat', stop }],
    ]);
  });

  it('ignores further stop causes, starts and tracing_on=0 while stopped (the buffer is already off)', () => {
    const stopped = run(start, irqHit);
    for (const ev of [irqHit, migrate, underThreshold, start, startOff, startNop, tracingOff]) {
      expectIgnored(stopped, ev);
    }
  });

  it('restarts into running with the buffer on, keeping the stop for reporting and counting the next', () => {
    const [running, actions] = transition(tracerMachine, run(start, irqHit), restart);
    expect(running.value).toBe('running');
    expect(effects(actions)).toEqual([['enableBuffer', { tracer: 'timerlat' }]]);
    expect(running.context.stop).toMatchObject({ kind: 'threshold', cpu: 3 });
    expect(running.context.stops).toBe(1);
    const [again] = transition(tracerMachine, running, migrate);
    expect(again.context.stops).toBe(2);
    expect(again.context.stop).toMatchObject({ kind: 'exception', cpu: 1 });
  });

  it('stops the workload and turns the buffer off on tracing_on=0 while running', () => {
    const [off, actions] = transition(tracerMachine, run(start), tracingOff);
    expect(off.value).toBe('off');
    expect(off.context.tracer).toBeNull();
    expect(effects(actions)).toEqual([
      ['disableBuffer', { tracer: 'timerlat', reason: 'tracing-off' }],
      ['stopWorkload', { tracer: 'timerlat', reason: 'tracing-off' }],
    ]);
  });

  it.each(['running', 'stopped'] as const)(
    'stops only the workload when the tracer is changed away from %s',
    (from) => {
      const before = from === 'running' ? run(start) : run(start, irqHit);
      const [off, actions] = transition(tracerMachine, before, changed);
      expect(off.value).toBe('off');
      expect(effects(actions)).toEqual([['stopWorkload', { tracer: 'timerlat', reason: 'tracer-changed' }]]);
    },
  );

  it('keeps the last stop through off for reporting, and a new start clears it', () => {
    const off = run(start, irqHit, changed);
    expect(off.context).toEqual({ tracer: null, stop: expect.objectContaining({ cpu: 3 }), stops: 1 });
    const [fresh] = transition(tracerMachine, off, start);
    expect(fresh.context).toEqual({ tracer: 'timerlat', stop: null, stops: 0 });
  });

  it.each(['running', 'stopped'] as const)(
    'restarts the workload in place on an osnoise/cpus or options write while %s',
    (from) => {
      const before = from === 'running' ? run(start) : run(start, migrate);
      for (const file of ['osnoise/cpus', 'osnoise/options'] as const) {
        const [after, actions] = transition(tracerMachine, before, { type: 'tracer.configure', file });
        expect(after.value).toBe(from);
        expect(after.context).toEqual(before.context);
        expect(effects(actions)).toEqual([
          ['stopWorkload', { tracer: 'timerlat', reason: 'reconfigured' }],
          ['startWorkload', { tracer: 'timerlat' }],
        ]);
      }
    },
  );

  it('ignores everything but a start while off', () => {
    for (const ev of [tracingOff, changed, restart, configure, irqHit, migrate]) expectIgnored(run(), ev);
    for (const ev of [tracingOff, changed, restart, configure, irqHit, migrate]) {
      expectIgnored(run(start, changed), ev);
    }
  });

  it('ignores a second start (same or other tracer) and a restart while running', () => {
    const running = run(start);
    for (const ev of [start, startOff, startNop, { type: 'tracer.start', tracer: 'osnoise' } as const, restart]) {
      expectIgnored(running, ev);
    }
  });

  it('runs no effect until the caller provides one, and runs the provided ones in order', () => {
    const seen: string[] = [];
    const provided = tracerMachine.provide({
      actions: {
        startWorkload: (_, p) => seen.push(`start ${p.tracer}`),
        stopWorkload: (_, p) => seen.push(`stop ${p.tracer} ${p.reason}`),
        enableBuffer: (_, p) => seen.push(`on ${p.tracer}`),
        disableBuffer: (_, p) => seen.push(`off ${p.tracer} ${p.reason}`),
        reportStop: (_, p) => seen.push(`hit cpu ${p.stop.cpu} ${p.stop.kind}`),
      },
    });
    let [snap, actions] = initialTransition(provided);
    for (const ev of [start, configure, irqHit, restart, migrate, changed]) {
      [snap, actions] = transition(provided, snap, ev);
      actions.forEach((a) => a.exec?.(a.info, a.params));
    }
    expect(snap.value).toBe('off');
    expect(seen).toEqual([
      'start timerlat',
      'on timerlat',
      'stop timerlat reconfigured',
      'start timerlat',
      'off timerlat threshold',
      'hit cpu 3 threshold',
      'on timerlat',
      'off timerlat exception',
      'hit cpu 1 exception',
      'stop timerlat tracer-changed',
    ]);
  });
});

describe('tracer machine graph coverage', () => {
  it('reaches every state by some shortest path', () => {
    const paths = getShortestPaths(tracerMachine, { events, serializeState });
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual([...allStates].sort());
  });

  it('runs every effect stub on some edge of the reachable graph', () => {
    // Every event from every reachable state: simple paths alone never take an edge back into
    // a state they have visited (close → closed, user-ret → waiting).
    const stubs = new Set<string>();
    for (const path of getShortestPaths(tracerMachine, { events, serializeState })) {
      for (const ev of events) {
        transition(tracerMachine, path.state, ev)[1].forEach((a) => stubs.add(a.type));
      }
    }
    expect([...stubs].sort()).toEqual(
      ['disableBuffer', 'enableBuffer', 'reportStop', 'startWorkload', 'stopWorkload'].sort(),
    );
  });

  it('has no final state: every reachable snapshot is live and a tracer change brings it off', () => {
    for (const path of getShortestPaths(tracerMachine, { events, serializeState })) {
      expect(path.state.status).toBe('active');
      const [off] = transition(tracerMachine, path.state, changed);
      expect(off.value).toBe('off');
      expect(off.context.tracer).toBeNull();
    }
  });

  it('keeps its invariants on every simple path: a tracer exactly when not off, a stop only when counted', () => {
    for (const path of getSimplePaths(tracerMachine, { events, serializeState })) {
      for (const step of [...path.steps.map((s) => s.state), path.state]) {
        const { tracer, stop, stops } = step.context;
        expect(tracer === null).toBe(step.value === 'off');
        if (tracer !== null) expect(tracer).toBe('timerlat');
        expect(stop === null).toBe(stops === 0);
      }
    }
  });
});
