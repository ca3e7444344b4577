// The uintr part of a task's `ctx` (seed 004, RFC v1 man pages): the syscalls uintr_register_handler
// … uintr_wait, which enter the kernel first (an interrupt point), and the instructions SENDUIPI,
// CLUI, STUI, TESTUI, which do not. Thin entries into src/task/uintr-ctx.ts; TaskContext extends
// this class. Runs in the task's own worker.
import { clockNs } from '../shm/clock.js';
import type { UintrHandler } from '../uintr/index.js';
import type { KernelEntry } from './entry.js';
import type { TaskUintr, TaskUintrWaitResult } from './uintr-ctx.js';

/**
 * The user-interrupt syscalls and instructions of {@link TaskContext}. A running receiver takes user
 * interrupts at every syscall entry and exit and at uintr_poll(): JavaScript cannot interrupt running code.
 */
export class TaskUintrCalls {
  #entry!: KernelEntry;
  #uintr!: TaskUintr;

  /** @internal The task's kernel entry and uintr state; TaskContext's constructor binds them once. */
  protected bindUintr(entry: KernelEntry, uintr: TaskUintr): void {
    this.#entry = entry;
    this.#uintr = uintr;
  }

  /** uintr_register_handler(handler, flags): become a receiver (UIF starts 0: call stui()). EBUSY, EINVAL. */
  uintr_register_handler(handler: UintrHandler, flags = 0): void {
    this.#entry.enter();
    this.#uintr.register_handler(handler, flags);
  }

  /** uintr_unregister_handler(flags): posts to this task stop being delivered. EINVAL when none. */
  uintr_unregister_handler(flags = 0): void {
    this.#entry.enter();
    this.#uintr.unregister_handler(flags);
  }

  /** uintr_create_fd(vector, flags) → fd. EINVAL (no handler, flags), ENOSPC (vector ≥ 64), EBUSY (taken). */
  uintr_create_fd(vector: number, flags = 0): number {
    this.#entry.enter();
    return this.#uintr.create_fd(vector, flags);
  }

  /** uintr_register_sender(fd, flags) → uipi_index. EBADF, EOPNOTSUPP, EISCONN, ESHUTDOWN, ENOSPC, EINVAL. */
  uintr_register_sender(fd: number, flags = 0): number {
    this.#entry.enter();
    return this.#uintr.register_sender(fd, flags);
  }

  /** uintr_unregister_sender(uipi_index, flags). EINVAL when not connected. */
  uintr_unregister_sender(index: number, flags = 0): void {
    this.#entry.enter();
    this.#uintr.unregister_sender(index, flags);
  }

  /** uintr_wait(usec, flags): 'EINTR' once a user-interrupt or signal handler ran, 'timed-out' after `usec`. EOPNOTSUPP if not a receiver. */
  uintr_wait(usec?: number, flags = 0): TaskUintrWaitResult {
    this.#entry.enter();
    return this.#uintr.wait(usec, flags, clockNs);
  }

  /** SENDUIPI index. No delivery feedback. No UITT: SIGILL; invalid index: SIGSEGV (to this task). */
  senduipi(index: number): void {
    this.#uintr.senduipi(index);
  }

  /** CLUI: mask user interrupts. */
  clui(): void {
    this.#uintr.clui();
  }

  /** STUI: unmask and take what is pending. */
  stui(): void {
    this.#uintr.stui();
  }

  /** TESTUI: the user interrupt flag. */
  testui(): boolean {
    return this.#uintr.testui();
  }

  /** An interrupt point for compute loops: deliver pending user interrupts. Returns how many. */
  uintr_poll(): number {
    return this.#uintr.uintr_poll();
  }
}
