// The user-task runtime: load the program module, run `main(ctx, arg)`, follow exec(), and turn
// exit/signal/crash into a TaskExit for the control plane. Runs in the task's own worker.
import { attachKernel } from '../kernel/layout.js';
import { setThreadTimerSlack } from '../kernel/timer-slack.js';
import { TASK, TaskState, attachTasks } from '../kernel/task-layout.js';
import type { RingBoot, TaskBoot, TaskExit } from '../lab/protocol.js';
import { TaskCancelled, TaskExecRequest, TaskExitRequest, TaskSignalled } from './control.js';
import { TaskContext } from './ctx.js';
import { RingBuffer } from '../ringbuf/index.js';
import { attachTimerlat, type TimerlatShm } from '../tracers/timerlat-layout.js';
import { attachUintr, type UintrViews } from '../uintr/index.js'; // uintr

/** A program a task runs: the module's default export. */
export type TaskMain = (ctx: TaskContext, arg: unknown) => unknown;

/** Run the task described by `boot` to its end. Never throws: every ending is a TaskExit. */
export async function runTask(boot: TaskBoot): Promise<TaskExit> {
  setThreadTimerSlack(boot.timerSlackNs); // before the program's first timed sleep; a refusal keeps the inherited slack
  const k = attachKernel(boot.kernelSab);
  const t = attachTasks(boot.tasksSab);
  const s = t.slotBase(boot.slot);
  let ring: RingBuffer | undefined;
  let ringGen = boot.ringGen;
  let fetchRing: (() => RingBoot) | undefined;
  let tl: TimerlatShm | undefined;
  let uv: UintrViews | undefined;
  const u = boot.uintr;
  const shared = {
    ring: () => {
      // One load per call: buffer_size_kb (tracing off only) replaces the ring, and a task that attached
      // the old one must write into the new one, as CPU actors do after their ring.attach message.
      const gen = Atomics.load(k.i32, k.ringGenIndex); // acquire: bumped after the new ring is in place
      if (ring === undefined || gen !== ringGen) {
        const next = gen === boot.ringGen || fetchRing === undefined ? { ring: boot.ring, ringGen: boot.ringGen } : fetchRing();
        ring = RingBuffer.attach(next.ring);
        ringGen = next.ringGen;
      }
      return ring;
    },
    bindRingFetch: (fetch: () => RingBoot) => (fetchRing = fetch),
    timerlat: () => (tl ??= attachTimerlat(boot.timerlatSab)),
    uintr: () => (u === undefined ? undefined : (uv ??= attachUintr(u.sab, u.receivers, u.senders, u.memory))), // uintr
    perf: () => boot.perf, // perf
  };
  const ctx = new TaskContext(k, t, boot.slot, boot.port, boot.moduleUrl, shared, boot.sig);
  let url = boot.moduleUrl;
  let arg = boot.arg;
  let loaded: unknown; // the main exec() loaded before its commit
  // RMW only: the control plane may have claimed the slot for an early SIGKILL (CREATED → KILLED).
  if (Atomics.compareExchange(t.i32, s + TASK.STATE, TaskState.CREATED, TaskState.RUNNING) !== TaskState.CREATED) {
    boot.port.close();
    return { type: 'task.signalled', signal: 'SIGKILL' };
  }
  try {
    for (;;) {
      try {
        const main = loaded ?? ((await import(url)) as { default?: unknown }).default;
        loaded = undefined;
        if (typeof main !== 'function') {
          return { type: 'task.crashed', code: 1, error: `${url}: the module has no default export function main(ctx, arg)` };
        }
        const ret = await (main as TaskMain)(ctx, arg);
        // The leader returning from main is exit() (exit_group); a CLONE_THREAD thread's main is its start
        // routine, whose return is pthread_exit (glibc start_thread): that thread alone, like exit(2).
        return { type: 'task.exit', code: typeof ret === 'number' && Number.isInteger(ret) ? ret & 0xff : 0, group: boot.pid === boot.tgid };
      } catch (e) {
        if (e instanceof TaskExecRequest) {
          url = e.moduleUrl;
          arg = e.arg;
          loaded = e.main;
          continue;
        }
        if (e instanceof TaskExitRequest) return { type: 'task.exit', code: e.code & 0xff, group: false }; // exit(2): this thread only
        if (e instanceof TaskSignalled) return { type: 'task.signalled', signal: e.signal };
        if (e instanceof TaskCancelled) return { type: 'task.signalled', signal: e.why === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM' };
        const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
        return { type: 'task.crashed', code: 1, error: stack };
      }
    }
  } finally {
    boot.port.close();
  }
}
