// What a task worker gets at boot for perf and task memory: the lab's perf region and its process's
// address space. Part of the task boot payload (src/lab/protocol.ts TaskBoot.perf). Types only.

/** The perf part of a task's boot payload. */
export interface PerfBoot {
  /** The lab-wide perf region (attachPerf). */
  readonly sab: SharedArrayBuffer;
  /** The process's address space and perf fd table (attachMm): shared by its threads. */
  readonly mm: SharedArrayBuffer;
}
