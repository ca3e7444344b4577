// What a tracer needs from the CPU it runs on, as a narrow interface (tracers do not import the
// kernel: the CPU actor entry point builds this port from its Cpu). Runs inside a CPU actor.
import type { RingBuffer } from '../ringbuf/index.js';
import type { ActivityLog } from './activity.js';

/** An armed timer handle. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

/** A kernel thread handle. */
export interface KthreadHandle {
  readonly __kthread: unique symbol;
}

/**
 * What the CPU actor is running (src/kernel/kthread.ts: RunContext), for timerlat's print_stack:
 * sections push a code word (a frame template with an optional `%u` argument), the timer IRQ saves
 * them. Recording happens only while `on` is true.
 */
export interface RunContextPort {
  on: boolean;
  intern(template: string): number;
  template(code: number): string;
  enter(code: number, arg: number): void;
  leave(): void;
  /** Copy (code, arg) pairs innermost first; returns how many. */
  save(out: Int32Array): number;
}

/** The CPU services a tracer uses. */
export interface CpuPort {
  readonly id: number;
  /** The trace buffer attached with this CPU as owner (may change on resize: read it per use). */
  ring(): RingBuffer;
  /** A new, unarmed hrtimer that calls `fn(nowNs)` in IRQ context. */
  timer(fn: (nowNs: number) => void): TimerHandle;
  arm(t: TimerHandle, deadlineNs: number): void;
  cancel(t: TimerHandle): void;
  /** A cooperative kernel thread; `run(nowNs)` once per wake-up. */
  kthread(name: string, run: (nowNs: number) => void): KthreadHandle;
  wake(k: KthreadHandle): void;
  stopKthread(k: KthreadHandle): void;
  /** Run expired hrtimers now (an IRQ window inside a long kernel section). */
  pollIrqs(): void;
  /** Register a CPU syscall: return the value, or undefined to complete it later. `name` names its stack frame. */
  syscall(nr: number, h: (slot: number, args: Int32Array, argBase: number) => number | undefined, name?: string): void;
  /** Complete a deferred syscall of task slot `slot`. */
  complete(slot: number, ret: number): void;
  /** pid and current CPU of a task slot. */
  taskPid(slot: number): number;
  taskCpu(slot: number): number;
  /** tracing_on (writers record only while it is 1). */
  tracingOn(): boolean;
  /** tracing_off(): stop recording, keep everything running. */
  tracingOff(): void;
  /** Recent kernel activity on this CPU (noise, long sections), for auto-analysis. */
  readonly activity: ActivityLog;
  /** What runs on this CPU now (print_stack). */
  readonly context: RunContextPort;
  /** Post a message to the control plane. */
  post(msg: unknown): void;
}
