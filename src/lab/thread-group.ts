// A thread group (kernel/exit.c: do_group_exit, release_task; signal_struct's live count and
// group_exit_code, reduced): the members a CLONE_THREAD group has left, the exit_group status once one
// is set, and the process's status, which wait4 and lab.spawn's `exited` hand out when the last member
// has ended. Control plane only; the process manager (tasks.ts) is its one writer.
import type { ExitStatus } from './task-record.js';

/** One process: its leader and every CLONE_THREAD member. */
export class ThreadGroup {
  readonly tgid: number;
  /** Resolves with the process's status once its last member has ended. */
  readonly exited: Promise<ExitStatus>;
  /** Set by exit_group (a return from main, a crash, a fatal signal, SIGKILL): every member ends with it. */
  status: ExitStatus | undefined;
  /** True once the last member has ended (a zombie for wait4 until reaped). */
  ended = false;
  #live = 0;
  #leaderStatus: ExitStatus | undefined;
  readonly #resolve: (s: ExitStatus) => void;

  constructor(tgid: number) {
    this.tgid = tgid;
    let resolve!: (s: ExitStatus) => void;
    this.exited = new Promise<ExitStatus>((res) => (resolve = res));
    this.#resolve = resolve;
  }

  /** A member started (the leader or a CLONE_THREAD clone). */
  join(): void {
    this.#live++;
  }

  /** True once exit_group was called: the group is dying and takes no new thread. */
  get exiting(): boolean {
    return this.status !== undefined;
  }

  /**
   * Member `pid` ended with `own`; true when it was the last. The process's status is then the
   * exit_group status, or else the leader's own one (wait_task_zombie reads the leader's exit_code
   * when no group exit happened, however the other threads exit()ed).
   */
  leave(pid: number, own: ExitStatus): boolean {
    if (pid === this.tgid) this.#leaderStatus = own;
    if (--this.#live > 0) return false;
    this.ended = true;
    this.#resolve(this.status ?? this.#leaderStatus ?? own);
    return true;
  }
}
