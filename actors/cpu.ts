// CPU actor entry point that piscina loads from dist/actors/cpu.js: one long task per worker.
// Thin: attach the shared regions from the payload, plug the tracers into the CPU through a
// CpuPort, and run the kernel loop of src/kernel/cpu.ts.
import { attachKernel } from '../src/kernel/layout.js';
import { attachTasks, TASK } from '../src/kernel/task-layout.js';
import { createCpu, runCpu, type Cpu } from '../src/kernel/cpu.js';
import { TimerQueue, type HrTimer } from '../src/kernel/hrtimer.js';
import type { KThread } from '../src/kernel/kthread.js';
import { completeSyscall, type SyscallNr } from '../src/kernel/syscalls.js';
import { clockNs } from '../src/shm/clock.js';
import type { CpuBoot, CpuExit, CpuReply, CpuRequest } from '../src/lab/protocol.js';
import { unknownMessage } from '../src/errno.js';
import type { CpuPort, KthreadHandle, TimerHandle } from '../src/tracers/cpu-port.js';
import { TimerlatCpu } from '../src/tracers/timerlat.js';
import { attachTimerlat } from '../src/tracers/timerlat-layout.js';
import { NoiseSource } from '../src/tracers/noise.js';
import { ActivityLog } from '../src/tracers/activity.js';

// The port hands out the kernel's own objects behind opaque handle types.
function portOf(cpu: Cpu): CpuPort {
  const { k, t } = cpu;
  const ctx = cpu.kthreads.context;
  let inIrqWindow = false;
  return {
    id: cpu.id,
    activity: new ActivityLog(),
    context: ctx,
    ring: () => cpu.ring,
    timer: (fn) => TimerQueue.timer((now) => fn(now)) as unknown as TimerHandle,
    arm: (h, deadlineNs) => cpu.timers.arm(h as unknown as HrTimer, deadlineNs),
    cancel: (h) => cpu.timers.cancel(h as unknown as HrTimer),
    kthread: (name, run) => cpu.kthreads.create(name, run) as unknown as KthreadHandle,
    wake: (h) => cpu.kthreads.wake(h as unknown as KThread),
    stopKthread: (h) => cpu.kthreads.stop(h as unknown as KThread),
    pollIrqs: () => {
      if (inIrqWindow) return; // no nested IRQ windows
      inIrqWindow = true;
      if (ctx.on) ctx.window();
      try {
        cpu.timers.expire(clockNs);
      } finally {
        inIrqWindow = false;
      }
    },
    syscall: (nr, h, name) => {
      // The syscall a task asked for is a frame of the saved stack: `<name> [pid N]`.
      const code = ctx.intern(`${name ?? `sys_${nr}`} [pid %u]`);
      cpu.syscalls.register(nr as SyscallNr, (slot, args, argBase) => {
        if (!ctx.on) return h(slot, args, argBase);
        ctx.enter(code, Atomics.load(t.i32, t.slotBase(slot) + TASK.PID)); // acquire: published before the syscall bit
        try {
          return h(slot, args, argBase);
        } finally {
          ctx.leave();
        }
      });
    },
    complete: (slot, ret) => completeSyscall(t, slot, ret),
    taskPid: (slot) => Atomics.load(t.i32, t.slotBase(slot) + TASK.PID),
    taskCpu: (slot) => Atomics.load(t.i32, t.slotBase(slot) + TASK.CPU),
    tracingOn: () => Atomics.load(k.i32, k.tracingOnIndex) === 1,
    tracingOff: () => Atomics.store(k.i32, k.tracingOnIndex, 0),
    post: (msg) => cpu.post(msg as CpuReply),
  };
}

/** piscina task: boot CPU `payload.cpu` and run it until shutdown. */
export default function cpuActor(payload: CpuBoot): CpuExit {
  if (payload.type !== 'cpu.boot') unknownMessage('cpu actor', payload);
  const k = attachKernel(payload.kernelSab);
  const t = attachTasks(payload.tasksSab);
  const cpu = createCpu(payload.cpu, k, t, payload.ring, payload.port);
  const port = portOf(cpu);
  const timerlat = new TimerlatCpu(port, attachTimerlat(payload.timerlatSab));
  let noise: NoiseSource[] = [];
  cpu.handlers.set('timerlat.start', () => timerlat.start());
  cpu.handlers.set('timerlat.stop', () => timerlat.stop());
  cpu.handlers.set('noise.set', (msg: CpuRequest) => {
    if (msg.type !== 'noise.set') return;
    for (const n of noise) n.stop();
    noise = msg.sources.map((spec) => new NoiseSource(port, spec));
    cpu.post({ type: 'noise.set.done', id: msg.id });
  });
  try {
    const reason = runCpu(cpu, payload.port);
    return { type: 'cpu.exit', cpu: payload.cpu, reason };
  } finally {
    payload.port.close();
  }
}
