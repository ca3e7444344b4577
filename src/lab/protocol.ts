// The ONLY contract between the control plane and the actors piscina runs: the task payloads
// (what each worker is started with) and the message unions on their ports. Every handler switches
// over `type` and fails loudly on an unknown one. Setup and teardown travel here; hot-path
// signalling goes through shared memory.
import type { MessagePort } from 'node:worker_threads';
import type { KernelErrorInit } from '../errno.js';
import type { PerfBoot } from '../perf/boot.js'; // perf
import type { RingHandle } from '../ringbuf/index.js';
import type { NoiseSpec } from '../tracers/noise.js';
import type { TimerlatNotice } from '../tracers/timerlat.js';
import type { TimerSlackRequest, TimerSlackState } from '../kernel/timer-slack.js';
import type { SharedWasmMemory } from '../shm/wasm.js';

/** Payload of the one long task each CPU actor runs. */
export interface CpuBoot {
  readonly type: 'cpu.boot';
  readonly cpu: number;
  readonly kernelSab: SharedArrayBuffer;
  readonly tasksSab: SharedArrayBuffer;
  /** The trace ring buffer the CPU writes its events into (attached with ownerCpu = cpu). */
  readonly ring: RingHandle;
  /** The timerlat tracer's shared region. */
  readonly timerlatSab: SharedArrayBuffer;
  /** Control messages (CpuRequest in, CpuReply out). */
  readonly port: MessagePort;
  /** The timer slack the actor sets on its own thread (LabOptions.timerSlackNs). */
  readonly timerSlackNs: TimerSlackRequest;
}

/** How a CPU actor's long task ends. */
export type CpuExit = { readonly type: 'cpu.exit'; readonly cpu: number; readonly reason: 'shutdown' };

/** Control plane → CPU actor, delivered with Ipi.CALL. */
export type CpuRequest =
  | { readonly type: 'timers.arm'; readonly id: number; readonly deadlinesNs: readonly number[] }
  | { readonly type: 'ipi.pingpong'; readonly id: number; readonly target: number; readonly rounds: number }
  | { readonly type: 'kthread.busy'; readonly id: number; readonly busyUs: number }
  | { readonly type: 'fault.inject'; readonly mode: 'throw' | 'exit' }
  | { readonly type: 'ring.attach'; readonly ring: RingHandle }
  | { readonly type: 'timerlat.rehearse'; readonly id: number }
  | { readonly type: 'timerlat.start' }
  | { readonly type: 'timerlat.stop' }
  | { readonly type: 'noise.set'; readonly id: number; readonly sources: readonly NoiseSpec[] };

/** CPU actor → control plane. */
export type CpuReply =
  | { readonly type: 'cpu.online'; readonly cpu: number; readonly timerSlack: TimerSlackState }
  | { readonly type: 'timers.fired'; readonly id: number; readonly fired: ReadonlyArray<{ deadlineNs: number; firedNs: number }> }
  | { readonly type: 'ipi.pingpong.done'; readonly id: number; readonly rttNs: readonly number[]; readonly error?: string }
  | { readonly type: 'kthread.busy.done'; readonly id: number; readonly startNs: number; readonly endNs: number }
  | { readonly type: 'noise.set.done'; readonly id: number }
  | { readonly type: 'timerlat.rehearse.done'; readonly id: number; readonly rehearsed: boolean }
  | TimerlatNotice;

/** Signal state a clone child starts with (fork and threads alike): the caller's SIG_IGN set and blocked mask, bit (sig-1). */
export interface SigInherit {
  readonly ignored: number;
  readonly blocked: number;
}

/** Payload of a user task's worker. */
export interface TaskBoot {
  readonly type: 'task.boot';
  readonly slot: number;
  readonly pid: number;
  readonly tgid: number;
  readonly moduleUrl: string;
  readonly arg: unknown;
  readonly kernelSab: SharedArrayBuffer;
  readonly tasksSab: SharedArrayBuffer;
  /** The trace ring (tasks write trace_marker and user-mode timerlat samples as remote writers). */
  readonly ring: RingHandle;
  /** The ring generation `ring` belongs to (the kernel's ringGen word when the handle was taken). */
  readonly ringGen: number;
  /** The timerlat tracer's shared region. */
  readonly timerlatSab: SharedArrayBuffer;
  /** The timer slack the task's worker sets on its own thread (LabOptions.timerSlackNs). */
  readonly timerSlackNs: TimerSlackRequest;
  /** Control-plane syscalls (TaskRpc out, TaskRpcReply in, read with receiveMessageOnPort). */
  readonly port: MessagePort;
  /** The lab's user-interrupt table; absent when the lab was booted with `uintr: false`. */ // uintr
  readonly uintr?: UintrBoot; // uintr
  /** Inherited signal state (clone); absent: nothing ignored or blocked (lab.spawn). */
  readonly sig?: SigInherit;
  /** The lab's perf region and the process's address space; absent when the lab has no perf. */ // perf
  readonly perf?: PerfBoot; // perf
}

/** The trace ring as a task attaches it, with the generation it belongs to (answer of the 'ring.handle' call). */
export interface RingBoot {
  readonly ring: RingHandle;
  readonly ringGen: number;
}

/** The user-interrupt table as a task attaches it (attachUintr(sab, receivers, senders)). */ // uintr
export interface UintrBoot {
  readonly sab: SharedArrayBuffer;
  /** The shared memory `sab` belongs to: the task sends and polls in WebAssembly (src/uintr/fastpath.wat). */
  readonly memory?: SharedWasmMemory;
  readonly receivers: number;
  readonly senders: number;
}

/** uintr syscalls the control plane serves (the fd table and UPID/UITT ownership live there). */ // uintr
export type UintrRpc =
  | { readonly op: 'register_handler'; readonly flags: number }
  | { readonly op: 'unregister_handler'; readonly flags: number }
  | { readonly op: 'create_fd'; readonly vector: number; readonly flags: number }
  | { readonly op: 'register_sender'; readonly fd: number; readonly flags: number }
  | { readonly op: 'unregister_sender'; readonly index: number; readonly flags: number };

/** How a task's worker ends when it was not SIGKILLed. */
export type TaskExit =
  | { readonly type: 'task.exit'; readonly code: number; /** exit_group (the leader returned from main), not exit(2) or a thread's return (this thread alone) */ readonly group: boolean }
  | { readonly type: 'task.signalled'; readonly signal: string }
  | { readonly type: 'task.crashed'; readonly code: 1; readonly error: string };

/** Control-plane syscalls a task makes. */
export type TaskRpcCall =
  | { readonly call: 'open'; readonly path: string; readonly flags: string }
  | { readonly call: 'read'; readonly fd: number; readonly size: number }
  | { readonly call: 'write'; readonly fd: number; readonly data: string }
  | { readonly call: 'close'; readonly fd: number }
  | { readonly call: 'ioctl'; readonly fd: number; readonly request: string }
  | { readonly call: 'kill'; readonly pid: number; readonly sig: number }
  | { readonly call: 'sched_setaffinity'; readonly pid: number; readonly cpus: readonly number[] }
  | { readonly call: 'clone'; readonly thread: boolean; readonly moduleUrl: string; readonly arg: unknown; readonly clearSighand?: boolean; readonly sig?: SigInherit } // perf: clearSighand
  | { readonly call: 'exec'; readonly moduleUrl: string }
  | { readonly call: 'wait4'; readonly pid: number }
  | { readonly call: 'pthread_join'; readonly tid: number }
  | { readonly call: 'ring.handle' } // the current trace ring after a buffer_size_kb resize: RingBoot
  | { readonly call: 'uintr'; readonly req: UintrRpc }; // uintr

/**
 * Task → control plane. 'rpc.cancel' withdraws call `seq` (a signal interrupted the task while it
 * slept in it): the control plane answers `seq` at once, EINTR, or its result if it had finished.
 */
export type TaskMessage =
  | { readonly type: 'rpc'; readonly seq: number; readonly req: TaskRpcCall }
  | { readonly type: 'rpc.cancel'; readonly seq: number };

/** Control plane → task, posted before the RPC_DONE word is kicked. */
export type TaskRpcReply =
  | { readonly type: 'rpc.reply'; readonly seq: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'rpc.reply'; readonly seq: number; readonly ok: false; readonly error: KernelErrorInit };
