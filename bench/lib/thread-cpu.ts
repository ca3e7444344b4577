// Per-thread CPU time of this process from /proc/self/task/*/schedstat (Linux): which threads paid
// for a window, so the overhead bench can show the timer threads (CPU actors or bare loops) apart
// from the rest (main thread, V8's compiler and GC threads). Bench only; main thread.
import { readFileSync, readdirSync } from 'node:fs';

/** CPU ns and voluntary context switches per thread id, now. Empty where /proc is not Linux's. */
export function threadTimes(): Map<string, { ns: number; switches: number }> {
  const out = new Map<string, { ns: number; switches: number }>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const sw = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'));
      out.set(tid, { ns, switches: Number(sw?.[1] ?? 0) });
    } catch {
      /* the thread ended between the listing and the read */
    }
  }
  return out;
}

/**
 * Split a window's CPU time: threads that woke at least `minWakesPerS` times a second (the timer
 * threads) against all others. Returns ms of CPU for each group and how many timer threads there were.
 */
export function splitWindow(
  before: Map<string, { ns: number; switches: number }>,
  after: Map<string, { ns: number; switches: number }>,
  windowMs: number,
  minWakesPerS: number,
): { timerMs: number; timerThreads: number; otherMs: number } {
  let timerMs = 0;
  let timerThreads = 0;
  let otherMs = 0;
  for (const [tid, a] of after) {
    const b = before.get(tid) ?? { ns: 0, switches: 0 };
    const ms = (a.ns - b.ns) / 1e6;
    if (((a.switches - b.switches) / windowMs) * 1000 >= minWakesPerS) {
      timerMs += ms;
      timerThreads++;
    } else {
      otherMs += ms;
    }
  }
  return { timerMs, timerThreads, otherMs };
}
