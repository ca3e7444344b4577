// CPU actor entry point that piscina loads from dist/actors/cpu.js: one long task per worker.
// Thin: attach the shared regions from the payload and run the kernel loop of src/kernel/cpu.ts.
import { attachKernel } from '../src/kernel/layout.js';
import { attachTasks } from '../src/kernel/task-layout.js';
import { createCpu, runCpu } from '../src/kernel/cpu.js';
import type { CpuBoot, CpuExit } from '../src/lab/protocol.js';
import { unknownMessage } from '../src/errno.js';

/** piscina task: boot CPU `payload.cpu` and run it until shutdown. */
export default function cpuActor(payload: CpuBoot): CpuExit {
  if (payload.type !== 'cpu.boot') unknownMessage('cpu actor', payload);
  const k = attachKernel(payload.kernelSab);
  const t = attachTasks(payload.tasksSab);
  const cpu = createCpu(payload.cpu, k, t, payload.ring, payload.port);
  try {
    const reason = runCpu(cpu, payload.port);
    return { type: 'cpu.exit', cpu: payload.cpu, reason };
  } finally {
    payload.port.close();
  }
}
