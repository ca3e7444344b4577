// The public entry point of tracelab: explicit named exports only; types via `export type`.
export { Lab } from './lab/lab.js';
export type { LabOptions, LabEvents, TracefsApi, TracefsHandle, FiredTimer } from './lab/lab.js';
export type { Task, SpawnOptions, ExitStatus, MigrateEvent } from './lab/tasks.js';
export type { CpuStats, CpuFault } from './lab/cpus.js';
export type { TaskContext, CloneOptions, WaitStatus } from './task/ctx.js';
export type { SigInfo, SignalHandler } from './kernel/signal.js';
export { KernelError, isKernelError, errnoOf } from './errno.js';
export type { ErrnoName, KernelErrorInit } from './errno.js';
export { clockNs } from './shm/clock.js';
