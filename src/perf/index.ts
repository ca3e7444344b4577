// perf events with synchronous SIGTRAP: the ABI, attr validation, the shared event table and the
// per-process address space. Pure library code; the task side is src/task/perf-ctx.ts and
// src/task/mem.ts, the control plane's is src/lab/perf.ts.
export * from './abi.js';
export { checkAttr, checkBreakpoint, AttrFlag, type ValidAttr } from './attr.js';
export { allocatePerf, attachPerf, perfLayout, EV, EV64, EVF, EvState, TP, TASK_MAX_EVENTS, type PerfShm } from './layout.js';
export { allocateMm, attachMm, copyMm, resetMm, mmFds, MM_DEFAULT_BYTES, MM_ALIGN, type MmShm } from './mm.js';
export { PerfTable, type SwSources, type BpEntry } from './table.js';
export { CONTROL_PLANE } from './lock.js';
export { perfIoctl, ioctlNumber, releaseEvent, holdEvent } from './ioctl.js';
export { openEvent, inheritEvents, exitTaskEvents, execTaskEvents, freshTask, checkTarget, type CloneKind } from './lifecycle.js';
export type { PerfBoot } from './boot.js';
