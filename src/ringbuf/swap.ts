// swapCpu: exchange a CPU's live buffer with its spare (ring_buffer_swap_cpu; seed 002's read/write
// buffer pair; ftrace's max-latency snapshot). Runs in the control plane or a CPU actor.
// Writers are never blocked: they load LIVE once per reserve, so a reserve racing the swap lands
// in the old bank, and its commit goes to that bank's page because the reservation names it.
// The swapper acts as the spare's reader (one reader per bank): it empties the spare before it goes
// live, so a second flight recording does not append to the first one's leftovers.
import { kerr } from '../errno.js';
import { kick } from '../shm/wait.js';
import { type RingCore, cpuIdx } from './core.js';
import { C_LIVE, C_WAKE } from './layout.js';

/**
 * Swap live and spare for `cpu`; returns the bank now live (0 or 1). `clear(spare)` runs first and
 * must leave the spare empty (RingReader.discard: skipped events count as overrun). A commit still
 * in flight from before the previous swap may land in it after the clear: that is the "lands in the
 * bank it reserved in" rule, and it is read (or counted) like any other event.
 */
export function swapCpu(c: RingCore, cpu: number, clear: (spare: number) => void): number {
  if (!((cpu | 0) === cpu && cpu >= 0 && cpu < c.params.cpus)) {
    throw kerr('EINVAL', 'swap_cpu', 'cpu', `cpu must be a whole number in 0..${c.params.cpus - 1}, got ${String(cpu)}`);
  }
  if (c.banks !== 2) throw kerr('ENODEV', 'swap_cpu', 'spare', 'this ring has no spare buffer: create it with { spare: true }');
  const ci = cpuIdx(c, cpu);
  clear(Atomics.load(c.ctl, ci + C_LIVE) ^ 1); // acquire; one swapper per CPU at a time (it is the spare's reader)
  const was = Atomics.xor(c.ctl, ci + C_LIVE, 1); // RMW only: concurrent swaps compose
  kick(c.ctl, ci + C_WAKE); // a reader waiting on the old live bank re-checks
  return was ^ 1;
}

/** The bank writers currently reserve in for `cpu`. */
export function liveBank(c: RingCore, cpu: number): number {
  return c.banks === 1 ? 0 : Atomics.load(c.ctl, cpuIdx(c, cpu) + C_LIVE); // stale-ok: a swap may land right after
}
