// Non-local exits of a user task's program: exit(), exec(), a fatal signal, cancellation.
// Runs in the task's worker. These are not Error subclasses, so a user's `catch (e) { if (e instanceof
// Error) … }` does not swallow them; a bare `catch {}` still can, as a C program can ignore nothing.

/** exit(code) unwinds the program with this. */
export class TaskExitRequest {
  constructor(readonly code: number) {}
}

/** exec(moduleUrl, arg) unwinds the program and the runtime loads the new one. */
export class TaskExecRequest {
  /** `main` is the new program, loaded before the commit; undefined when the runtime must import it (see loadProgram). */
  constructor(readonly moduleUrl: string, readonly arg: unknown, readonly main?: (...args: never[]) => unknown) {}
}

/** A signal whose action is to terminate the task. */
export class TaskSignalled {
  constructor(readonly signal: string) {}
}

/** The task's waits were cancelled by SIGKILL or lab shutdown; its worker is about to be terminated. */
export class TaskCancelled {
  constructor(readonly why: 'SIGKILL' | 'shutdown') {}
}
