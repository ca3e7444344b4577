// Signal numbers, default actions and delivery for a user task (kernel/signal.c, reduced).
// Runs in the task's own worker (delivery) and in any thread (sending a non-fatal signal is an
// Atomics.or into the target's pending word followed by a kick of its wake word).
import { constants } from 'node:os';
import { kerr } from '../errno.js';
import { kick } from '../shm/wait.js';
import { TASK, type TaskShm } from './task-layout.js';

/** A signal name the host knows (SIGTERM, SIGUSR1, …). */
export type SignalName = keyof typeof constants.signals;

const SIGNALS = constants.signals as Record<string, number>;

/** Signal number of a name or number; undefined when unknown or outside 1..31. */
export function signalNumber(sig: number | string): number | undefined {
  const n = typeof sig === 'number' ? sig : SIGNALS[sig];
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 31 ? n : undefined;
}

/** Name of a signal number (SIGKILL for 9). */
export function signalName(n: number): string {
  for (const [name, v] of Object.entries(SIGNALS)) if (v === n) return name;
  return `SIG${n}`;
}

/** Signals whose default action is to be ignored (signal(7)); every other default terminates. */
const DEFAULT_IGNORE = new Set(['SIGCHLD', 'SIGURG', 'SIGWINCH', 'SIGCONT']);

/** True when the default action of `sig` is to ignore it. */
export function ignoredByDefault(sig: number): boolean {
  return DEFAULT_IGNORE.has(signalName(sig));
}

// Stopping and continuing a task is not modelled: kill() refuses these rather than end the task.
const JOB_CONTROL: ReadonlySet<string> = new Set(['SIGSTOP', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

/** EINVAL for a job-control signal (stop/continue is not modelled). The one check of lab.kill and ctx.kill. */
export function refuseJobControl(sig: number, syscall = 'kill'): void {
  const name = signalName(sig);
  if (JOB_CONTROL.has(name)) throw kerr('EINVAL', syscall, undefined, `${name} is job control (stop/continue), which tracelab does not model; send SIGKILL, SIGTERM or another signal`);
}

/** Information passed to a signal handler, like siginfo_t. */
export interface SigInfo {
  readonly si_signo: number;
  readonly si_code: number;
  /** Sender's pid for kill(); 0 from the kernel. */
  readonly si_pid: number;
  /** Fields added by other senders (perf: si_addr, si_perf_data, …). */
  readonly [field: string]: number | bigint | undefined;
}

/** A handler installed with sigaction. */
export type SignalHandler = (sig: number, info: SigInfo) => void;

/** si_code for a user kill(). */
export const SI_USER = 0;

/**
 * Queue `sig` on task slot `slot` and wake it (kill/tgkill for every signal but SIGKILL). Any thread.
 * `senderTgid` (kill from a task) becomes the siginfo's si_pid: a signal already pending keeps its first
 * sender's (legacy signals are not queued twice). stale-ok: a send that races the delivery of the same
 * signal may be delivered with si_pid 0.
 */
export function queueSignal(t: TaskShm, slot: number, sig: number, senderTgid = 0): void {
  const s = t.slotBase(slot);
  if (senderTgid !== 0) Atomics.compareExchange(t.i32, s + TASK.SIGPID + sig - 1, 0, senderTgid); // RMW only: before the bit, so its deliverer sees it
  Atomics.or(t.i32, s + TASK.SIGPENDING, 1 << (sig - 1)); // RMW only
  kick(t.i32, s + TASK.WAKE); // publish: the pending bit above
}
