// uintr_wait (uintr_core.c: uintr_receiver_wait), without the RFC's lost-wakeup window.
// Runs in the receiver's thread (uintrWait blocks: workers only; uintrWaitAsync for the main thread).
// Contract: sleeps only through src/shm/wait.ts, on the UPID's wake word, with a deadline and the
// UPID's cancel word; senduipi kicks the wake word itself, so no control-plane hop sits on the wake path.
import { waitWord, waitWordAsync, cancel as cancelWait, isCancelled, type CancelWord, type WaitOptions, type WaitResult } from '../shm/wait.js';
import {
  type UintrViews, upidWord, ON, SN, UW, U_STATUS, U_NV, U_WAKE, U_WAKER, U_CANCEL, WAKER_UPID,
  UINTR_KERNEL_VECTOR, UINTR_NOTIFICATION_VECTOR,
} from './layout.js';
import { hasPending, isAlive, poll } from './receiver.js';
import type { UintrHandler, UintrWaitResult } from './fd.js';

/*
 * The RFC's flaw. uintr_receiver_wait() switches NV to the kernel vector, adds the task to a global
 * list and calls set_current_state(TASK_INTERRUPTIBLE); schedule() without ever re-checking PIR/ON.
 * A senduipi that lands before the NV switch is sent with the user vector, or finds ON already set
 * and sends nothing; a wake-up between list_add and set_current_state is overwritten by the state
 * change. Either way the task sleeps with a posted interrupt (tglx: "blatantly wrong vs. a
 * concurrent wake up").
 *
 * Why ours has no such window. Every word below is touched with seq-cst Atomics, so all these
 * operations sit in one total order. The waiter does, in order:
 *   E: one CAS on status that sets UW and clears ON and SN;
 *   S: load wake (the snapshot);  L: load both PIR words;  then Atomics.wait(wake, S) only if L saw 0.
 * A sender does: P: or its PIR bit;  C: CAS status (only if SN and ON are clear: set ON);
 *   K: if C saw UW set, add to wake and notify.
 * Take a post whose bit the waiter's L missed: L < P, hence E < S < L < P < C.
 *   - If C finds ON clear, it sees UW (set at E, cleared only after the wait) and SN clear (UW keeps
 *     deschedule() from setting SN: both bits live in one word, changed only by CAS), so it kicks;
 *     K comes after S, the wake word differs from the snapshot, and Atomics.wait returns at once.
 *   - If C finds ON set, some post Q set it after E (E cleared it). Q's CAS came after E, so Q saw UW
 *     and kicked. Either Q's kick is after S (wait returns at once, as above), or it is before S;
 *     then Q's bit was or-ed before its CAS < kick < S < L, so L saw a bit and we never slept.
 * The wait loop repeats E's ON clear before each new snapshot, so the argument holds on every round.
 * What it costs: one extra status CAS per wait and two PIR loads before sleeping; a sender pays the
 * kick (an add plus notify) only when the receiver really waits.
 */

/** Options of uintr_wait. */
export interface UintrWaitOptions {
  /** Absolute deadline on `clockNs()`. @default no deadline */
  readonly deadlineNs?: number;
  /** Must be 0. @default 0 */
  readonly flags?: number;
}

/** Why uintr_wait could not start. */
export type UintrWaitError = 'EINVAL' | 'EOPNOTSUPP';

function check(v: UintrViews, upid: number, opts: UintrWaitOptions): UintrWaitError | undefined {
  if ((opts.flags ?? 0) !== 0) return 'EINVAL';
  if (opts.deadlineNs !== undefined && !Number.isFinite(opts.deadlineNs)) return 'EINVAL';
  if (!isAlive(v, upid)) return 'EOPNOTSUPP';
  return undefined;
}

/** E: enter the waiting state in one CAS (UW on, ON and SN off) and switch NV to the kernel vector. */
function enter(v: UintrViews, upid: number, waker: number): void {
  Atomics.store(v.i32, upidWord(v, upid, U_WAKER), waker); // single writer (receiver): before E, so a sender that sees UW reads it
  const at = upidWord(v, upid, U_STATUS);
  for (;;) {
    const s = Atomics.load(v.i32, at); // acquire
    if (Atomics.compareExchange(v.i32, at, s, (s | UW) & ~(ON | SN)) === s) break; // RMW only
  }
  Atomics.store(v.i32, upidWord(v, upid, U_NV), UINTR_KERNEL_VECTOR); // single writer (receiver): diagnostics
}

function leave(v: UintrViews, upid: number): void {
  Atomics.and(v.i32, upidWord(v, upid, U_STATUS), ~UW); // RMW only
  Atomics.store(v.i32, upidWord(v, upid, U_NV), UINTR_NOTIFICATION_VECTOR); // single writer (receiver)
}

/** Snapshot the wake word, or undefined when a post is already pending (then do not sleep). */
function snapshot(v: UintrViews, upid: number): number | undefined {
  Atomics.and(v.i32, upidWord(v, upid, U_STATUS), ~ON); // RMW only: the next post notifies (and kicks) again
  const seq = Atomics.load(v.i32, upidWord(v, upid, U_WAKE)); // acquire: S, before L
  return hasPending(v, upid) ? undefined : seq; // L
}

function finish(v: UintrViews, upid: number, handler: UintrHandler, r: WaitResult | 'posted'): UintrWaitResult {
  leave(v, upid);
  // A post that raced a timeout or a cancel still wins: the interrupt is taken and EINTR returned.
  if (r === 'posted' || hasPending(v, upid)) {
    poll(v, upid, handler);
    return 'EINTR';
  }
  return r === 'cancelled' ? 'cancelled' : 'timed-out';
}

/**
 * The entry of uintrWait and uintrWaitAsync, which sleep on the UPID's own WAKE word: the argument
 * checks, the entry's interrupt point (pending vectors delivered first: 'EINTR'), then enter with
 * the UPID as the waker's target. Returns what to wait on, or the call's result when it ends here.
 */
function startUpidWait(v: UintrViews, upid: number, handler: UintrHandler, opts: UintrWaitOptions): { wakeAt: number; waitOpts: WaitOptions } | 'EINTR' | UintrWaitError {
  const bad = check(v, upid, opts);
  if (bad !== undefined) return bad;
  if (poll(v, upid, handler) > 0) return 'EINTR';
  enter(v, upid, WAKER_UPID);
  const cancel = { view: v.i32, index: upidWord(v, upid, U_CANCEL) };
  return { wakeAt: upidWord(v, upid, U_WAKE), waitOpts: opts.deadlineNs === undefined ? { cancel } : { deadlineNs: opts.deadlineNs, cancel } };
}

/**
 * uintr_wait: block until a user interrupt is posted, the deadline passes, or the UPID's cancel word
 * is set. A post wakes it at once; the handler runs (if UIF is set) before it returns 'EINTR', the
 * man page's -1/EINTR. With UIF clear, it still returns 'EINTR' and the vector stays pending until stui().
 * The entry is itself an interrupt point: pending vectors are delivered first and 'EINTR' returned.
 */
export function uintrWait(v: UintrViews, upid: number, handler: UintrHandler, opts: UintrWaitOptions = {}): UintrWaitResult | UintrWaitError {
  const start = startUpidWait(v, upid, handler, opts);
  if (typeof start === 'string') return start;
  const { wakeAt, waitOpts } = start;
  for (;;) {
    const seq = snapshot(v, upid);
    if (seq === undefined) return finish(v, upid, handler, 'posted');
    const r = waitWord(v.i32, wakeAt, seq, waitOpts);
    if (r !== 'ok') return finish(v, upid, handler, r);
  }
}

/** Where a lab task sleeps in uintr_wait, so that its signals, SIGKILL and shutdown wake it too. */
export interface UintrTaskSleep {
  /** i32 index of the task's WAKE word in `v.tasks` (signal senders and the control plane kick it). */
  readonly index: number;
  /** The task's cancel bits (SIGKILL, shutdown). */
  readonly cancel: CancelWord;
  /** True when an unblocked signal is pending: the wait then ends with 'signal'. */
  signalPending(): boolean;
}

/**
 * uintr_wait for a lab task (signal_pending() in the kernel's TASK_INTERRUPTIBLE sleep): the protocol
 * of uintrWait, sleeping on the task's WAKE word instead of the UPID's, which senduipi kicks through
 * U_WAKER and every signal sender kicks after queueing. Returns 'signal' when a signal is pending and
 * no user interrupt is: the caller runs the signal handler and returns EINTR (or, for an ignored or
 * blocked signal, waits again). Posts still win over signals: they are delivered first, as 'EINTR'.
 *
 * Why no signal is lost, and what it costs: a signal sender sets its pending bit, then kicks WAKE; the
 * waiter snapshots WAKE (S) before it checks for signals, so a bit it missed was set after the check,
 * and the kick that follows changes WAKE after S: Atomics.wait returns at once (as nanosleep in ctx).
 * The post argument above is unchanged: only the word differs (senders read U_WAKER, stored before E,
 * after their CAS saw UW). Cost: a kick may now be any wake-up of the task (an RPC reply, a signal
 * that is blocked), so a spurious round re-snapshots and sleeps again. The UPID's cancel word is
 * checked every round but does not wake this sleep: SIGKILL and shutdown set the task's cancel bits
 * and kick WAKE (src/lab/tasks.ts), which does.
 */
export function uintrWaitTask(v: UintrViews, upid: number, handler: UintrHandler, sleep: UintrTaskSleep, opts: UintrWaitOptions = {}): UintrWaitResult | 'signal' | UintrWaitError {
  const bad = check(v, upid, opts);
  if (bad !== undefined) return bad;
  const tasks = v.tasks;
  if (tasks === undefined) throw new Error('uintrWaitTask: the process table is not attached to these uintr views');
  if (poll(v, upid, handler) > 0) return 'EINTR';
  enter(v, upid, sleep.index);
  const upidCancel = { view: v.i32, index: upidWord(v, upid, U_CANCEL) };
  const waitOpts = opts.deadlineNs === undefined ? { cancel: sleep.cancel } : { deadlineNs: opts.deadlineNs, cancel: sleep.cancel };
  for (;;) {
    Atomics.and(v.i32, upidWord(v, upid, U_STATUS), ~ON); // RMW only: the next post notifies (and kicks) again
    const seq = Atomics.load(tasks, sleep.index); // acquire: S, before L and the signal check
    if (hasPending(v, upid)) return finish(v, upid, handler, 'posted'); // L
    if (isCancelled(upidCancel)) return finish(v, upid, handler, 'cancelled');
    if (sleep.signalPending()) {
      const r = finish(v, upid, handler, 'cancelled'); // leave; a post that raced the signal is delivered: EINTR
      return r === 'EINTR' ? r : 'signal';
    }
    const r = waitWord(tasks, sleep.index, seq, waitOpts);
    if (r !== 'ok') return finish(v, upid, handler, r);
  }
}

/** uintr_wait for the main thread: the same protocol, sleeping with Atomics.waitAsync. */
export async function uintrWaitAsync(v: UintrViews, upid: number, handler: UintrHandler, opts: UintrWaitOptions = {}): Promise<UintrWaitResult | UintrWaitError> {
  const start = startUpidWait(v, upid, handler, opts);
  if (typeof start === 'string') return start;
  const { wakeAt, waitOpts } = start;
  try {
    for (;;) {
      const seq = snapshot(v, upid);
      if (seq === undefined) return finish(v, upid, handler, 'posted');
      const r = await waitWordAsync(v.i32, wakeAt, seq, waitOpts);
      if (r !== 'ok') return finish(v, upid, handler, r);
    }
  } catch (err) {
    leave(v, upid);
    throw err;
  }
}

/** Cancel every present and future uintr_wait of `upid` (shutdown, kill). Any thread. */
export function cancelUintrWait(v: UintrViews, upid: number): void {
  cancelWait({ view: v.i32, index: upidWord(v, upid, U_CANCEL) }, [[v.i32, upidWord(v, upid, U_WAKE)]]);
}
