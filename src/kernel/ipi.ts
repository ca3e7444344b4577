// Inter-processor interrupts (kernel/smp.c, reduced): an Atomics.or of a reason bit into the
// target CPU's doorbell, then a notify when it sleeps. PING carries the asker in a bitmap.
// Any thread may send; only the target CPU actor takes and handles.
import { ring } from '../shm/doorbell.js';
import { CPU, CpuState, Ipi } from './layout.js';
import type { KernelShm } from './layout.js';

/** Send IPI reason bits to `cpu` (smp_send_reschedule / arch_send_call_function_single_ipi). */
export function sendIpi(k: KernelShm, cpu: number, bits: number): void {
  ring(k.i32, k.cpuBase(cpu) + CPU.PENDING, bits);
}

/** Ask `target` for a PONG back to `asker`. */
export function sendPing(k: KernelShm, asker: number, target: number): void {
  Atomics.or(k.i32, k.pingIndex(target, asker), 1 << (asker & 31)); // publish: before the doorbell's or
  sendIpi(k, target, Ipi.PING);
}

/** On `cpu`, answer every pending PING with a PONG. Returns how many. */
export function answerPings(k: KernelShm, cpu: number): number {
  let n = 0;
  const base = k.pingIndex(cpu, 0);
  for (let w = 0; w < k.pingWords; w++) {
    let bits = Atomics.exchange(k.i32, base + w, 0); // RMW only
    while (bits !== 0) {
      const b = 31 - Math.clz32(bits & -bits);
      bits &= bits - 1;
      sendIpi(k, w * 32 + b, Ipi.PONG);
      n++;
    }
  }
  return n;
}

/** True when `cpu`'s actor is online (its loop is taking IPIs). */
export function cpuOnline(k: KernelShm, cpu: number): boolean {
  return Atomics.load(k.i32, k.cpuBase(cpu) + CPU.STATE) === CpuState.ONLINE; // acquire
}
