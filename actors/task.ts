// User-task actor entry point that piscina loads from dist/actors/task.js: one task per worker at a time.
// Thin: hand the payload to the runtime in src/task/runtime.ts.
import { unknownMessage } from '../src/errno.js';
import type { TaskBoot, TaskExit } from '../src/lab/protocol.js';
import { runTask } from '../src/task/runtime.js';

/** piscina task: run one user task to its end. */
export default async function taskActor(payload: TaskBoot): Promise<TaskExit> {
  if (payload.type !== 'task.boot') unknownMessage('task actor', payload);
  return runTask(payload);
}
