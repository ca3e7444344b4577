// Request/reply probes the control plane sends to one CPU actor (smp_call_function_single-style):
// an IPI ping-pong between two CPUs, hrtimers armed at absolute deadlines, a non-preemptible busy
// section. Control plane (main thread); each waits for the CPU actor's reply message (CpuSet.request).
import { kerr } from '../errno.js';
import type { CpuSet } from './cpus.js';
import type { CpuReply } from './protocol.js';

/** A fired hrtimer, for tests of timer order. */
export interface FiredTimer {
  readonly deadlineNs: number;
  readonly firedNs: number;
}

/** Have CPU `from` ping CPU `to` `rounds` times; resolves with each round trip in ns. */
export async function ipiRoundTrip(cpuSet: CpuSet, cpus: number, from: number, to: number, rounds: number): Promise<number[]> {
  if (from === to) throw kerr('EINVAL', 'ipi', `cpu${from}`, 'a CPU cannot ping itself; pick two different CPUs');
  if (!Number.isInteger(to) || to < 0 || to >= cpus) throw kerr('EINVAL', 'ipi', `cpu${to}`, `cpu must be 0..${cpus - 1}`);
  if (cpuSet.stats(to).state !== 'online') throw kerr('EIO', 'ipi', `cpu${to}`, 'the target CPU is not online');
  const r = await cpuSet.request<Extract<CpuReply, { type: 'ipi.pingpong.done' }>>(from, (id) => ({ type: 'ipi.pingpong', id, target: to, rounds }));
  if (r.error !== undefined) throw kerr('EIO', 'ipi', `cpu${to}`, r.error);
  return [...r.rttNs];
}

/** Arm hrtimers at absolute `deadlinesNs` on `cpu`; resolves with when each fired. */
export async function armTimers(cpuSet: CpuSet, cpu: number, deadlinesNs: readonly number[]): Promise<FiredTimer[]> {
  if (deadlinesNs.length === 0) return [];
  const r = await cpuSet.request<Extract<CpuReply, { type: 'timers.fired' }>>(cpu, (id) => ({ type: 'timers.arm', id, deadlinesNs: [...deadlinesNs] }));
  return [...r.fired];
}

/** Run a non-preemptible kernel section of `busyUs` on `cpu`; resolves with its start and end. */
export async function busySection(cpuSet: CpuSet, cpu: number, busyUs: number): Promise<{ startNs: number; endNs: number }> {
  if (!Number.isFinite(busyUs) || busyUs < 0 || busyUs > 10_000_000) throw kerr('EINVAL', 'busy', undefined, 'busyUs must be 0..10000000');
  const r = await cpuSet.request<Extract<CpuReply, { type: 'kthread.busy.done' }>>(cpu, (id) => ({ type: 'kthread.busy', id, busyUs }));
  return { startNs: r.startNs, endNs: r.endNs };
}
