// The lifecycle of one task's user-interrupt receiver (arch/x86/kernel/uintr_core.c:
// do_uintr_register_handler / do_uintr_unregister_handler / uintr_free on exit; uintr_receiver_wait).
// Runs in the control plane (src/lab/uintr.ts), one actor per receiver task, fed ONLY lifecycle
// edges there (register, unregister, exec, exit); the running/waiting/handling sub-states exist for
// callers that model a receiver's inner steps (tests, tools). Pure xstate v5: effects are stubs.
import { assign, setup } from 'xstate';

/** What the control plane knows about one task's receiver. */
export interface UintrReceiverContext {
  readonly pid: number;
  /** The UPID index while registered; null otherwise. */
  readonly upid: number | null;
}

/** Machine input: the task. */
export interface UintrReceiverInput {
  readonly pid: number;
}

/**
 * Edges of the receiver lifecycle.
 *
 * - `uintr.register`: uintr_register_handler claimed UPID `upid`.
 * - `uintr.unregister`: uintr_unregister_handler.
 * - `uintr.wait` / `uintr.wake`: the receiver entered uintr_wait / left it without a delivery
 *   (timeout, cancel).
 * - `uintr.deliver`: a vector is being delivered (the handler runs, UIF cleared); `uintr.uiret`:
 *   the handler returned.
 * - `task.exec`: execve; nothing uintr-related survives it.
 * - `task.exit`: the task ended (exit, fatal signal or SIGKILL).
 */
export type UintrReceiverEvent =
  | { readonly type: 'uintr.register'; readonly upid: number }
  | { readonly type: 'uintr.unregister' }
  | { readonly type: 'uintr.wait' }
  | { readonly type: 'uintr.wake' }
  | { readonly type: 'uintr.deliver'; readonly vector: number }
  | { readonly type: 'uintr.uiret' }
  | { readonly type: 'task.exec' }
  | { readonly type: 'task.exit' };

/** Parameters of the effect stubs. */
export interface UintrReceiverReleaseParams {
  readonly pid: number;
  readonly upid: number;
  readonly reason: 'unregister' | 'exec' | 'exit';
}

const release = (reason: UintrReceiverReleaseParams['reason']) =>
  ({
    type: 'releaseUpid',
    params: ({ context }: { context: UintrReceiverContext }) => ({ pid: context.pid, upid: context.upid ?? -1, reason }),
  }) as const;

/**
 * `unregistered → registered (running | waiting | handling) → unregistered | exited`.
 *
 * - Leaving `registered` by unregister, exec or exit runs `releaseUpid` (the control plane frees
 *   the UPID: senders' entries stop delivering silently, a sleeping uintr_wait is cancelled).
 * - `registered` accepts no second `uintr.register` (EBUSY is decided by the caller before).
 * - `handling` is the no-re-entry rule: a `uintr.deliver` there is ignored until `uintr.uiret`.
 *
 * @example
 * const rx = createActor(uintrReceiverMachine.provide({ actions: { releaseUpid: (_, p) => free(p.upid) } }),
 *   { input: { pid } }).start();
 * rx.send({ type: 'uintr.register', upid: 3 });
 */
export const uintrReceiverMachine = setup({
  types: {
    context: {} as UintrReceiverContext,
    events: {} as UintrReceiverEvent,
    input: {} as UintrReceiverInput,
  },
  actions: {
    // Effect stubs: no-ops here, supplied by src/lab with .provide().
    notifyRegistered: (_, _params: { pid: number; upid: number }) => {},
    releaseUpid: (_, _params: UintrReceiverReleaseParams) => {},
    recordUpid: assign({
      upid: ({ event }) => (event.type === 'uintr.register' ? event.upid : null),
    }),
    clearUpid: assign({ upid: null }),
  },
}).createMachine({
  id: 'uintrReceiver',
  initial: 'unregistered',
  context: ({ input }) => ({ pid: input.pid, upid: null }),
  states: {
    unregistered: {
      on: {
        'uintr.register': {
          target: 'registered',
          actions: ['recordUpid', { type: 'notifyRegistered', params: ({ event, context }) => ({ pid: context.pid, upid: event.upid }) }],
        },
        'task.exit': { target: 'exited' },
      },
    },
    registered: {
      initial: 'running',
      on: {
        'uintr.unregister': { target: 'unregistered', actions: [release('unregister'), 'clearUpid'] },
        'task.exec': { target: 'unregistered', actions: [release('exec'), 'clearUpid'] },
        'task.exit': { target: 'exited', actions: [release('exit'), 'clearUpid'] },
      },
      states: {
        running: {
          on: {
            'uintr.wait': { target: 'waiting' },
            'uintr.deliver': { target: 'handling' },
          },
        },
        waiting: {
          on: {
            'uintr.deliver': { target: 'handling' },
            'uintr.wake': { target: 'running' },
          },
        },
        handling: {
          on: {
            'uintr.uiret': { target: 'running' },
          },
        },
      },
    },
    exited: { type: 'final' },
  },
});
