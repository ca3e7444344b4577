// Timer slack of a thread (prctl PR_SET_TIMERSLACK; /proc/TID/timerslack_ns). Linux may end a timed
// sleep anywhere in [deadline, deadline + slack] so that wake-ups coalesce: 50 µs for a normal task,
// 0 for a real-time one, which is why cyclictest and the kernel's own timerlat (an hrtimer in hard-IRQ
// context) see none. JavaScript has no prctl, but a thread may read and write its own
// /proc/TID/timerslack_ns without privilege (the kernel checks CAP_SYS_NICE only when the file's task
// is not `current`; /proc/self/timerslack_ns names the thread group leader, so a worker cannot use
// that one), and its TID is the last part of /proc/thread-self. Each CPU and task actor sets its own
// slack when it starts, so the lab never touches the slack of its user's main thread. Any thread;
// the TID is cached per thread (module state is per worker).
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { kerr } from '../errno.js';

/** A slack in ns (1..1,000,000,000), or `'inherit'` to leave the thread's own (the creator's) slack. */
export type TimerSlackRequest = number | 'inherit';

/** What a lab asks for by default: 1 ns, the least Linux keeps (writing 0 means "back to the default"). */
export const DEFAULT_TIMER_SLACK_NS = 1;
export const MAX_TIMER_SLACK_NS = 1_000_000_000;

/** What a thread got. */
export interface TimerSlackState {
  /** The slack now in effect, in ns; null where it cannot be read (no Linux /proc). */
  readonly ns: number | null;
  /** Why the request was not applied ('EPERM', 'ENOENT', …); null when it was, or was 'inherit'. */
  readonly failed: string | null;
}

/** Check a request (EINVAL names the range); nothing is written. */
export function checkTimerSlack(req: unknown, syscall = 'boot'): TimerSlackRequest {
  if (req === 'inherit') return req;
  if (typeof req === 'number' && Number.isInteger(req) && req >= 1 && req <= MAX_TIMER_SLACK_NS) return req;
  throw kerr('EINVAL', syscall, 'timerslack_ns', `the timer slack must be a whole number of ns in 1..${MAX_TIMER_SLACK_NS} or 'inherit', got ${String(req)}`);
}

let ownFile: string | null | undefined; // this thread's /proc/TID/timerslack_ns; null: none
let applied: { req: number; state: TimerSlackState } | undefined; // this thread's last successful write

function file(): string | null {
  if (ownFile === undefined) {
    try {
      ownFile = `/proc/${readlinkSync('/proc/thread-self').split('/').pop()!}/timerslack_ns`;
    } catch {
      ownFile = null;
    }
  }
  return ownFile;
}

/** The calling thread's timer slack in ns, or null where /proc does not have it. */
export function threadTimerSlack(): number | null {
  const f = file();
  if (f === null) return null;
  try {
    const ns = Number(readFileSync(f, 'utf8').trim());
    return Number.isFinite(ns) ? ns : null;
  } catch {
    return null;
  }
}

/**
 * Set the calling thread's timer slack (threads it creates afterwards start with it). Never throws for
 * the host's refusal: a system without /proc answers ENOENT, and the state says so; the thread keeps
 * the slack it had. A real-time thread's slack stays 0 whatever is written (the kernel's rule).
 */
export function setThreadTimerSlack(req: TimerSlackRequest): TimerSlackState {
  checkTimerSlack(req, 'prctl');
  if (req === 'inherit') return { ns: threadTimerSlack(), failed: null };
  if (applied?.req === req) return applied.state; // a pooled worker running its next task: only this thread writes it
  const f = file();
  if (f === null) return { ns: null, failed: 'ENOENT' };
  try {
    writeFileSync(f, String(req));
  } catch (e) {
    return { ns: threadTimerSlack(), failed: (e as NodeJS.ErrnoException).code ?? 'EIO' };
  }
  applied = { req, state: { ns: threadTimerSlack(), failed: null } };
  return applied.state;
}
