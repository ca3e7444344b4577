// Reading timerlat_sample lines back from the `trace` file, for self-tests and tests.
// Control plane; pure text processing.

const SAMPLE = /\[(\d{3})\]\s+\S+: timerlat_sample: #(\d+)\s+context\s+(irq|thread|user-ret) timer_latency\s+(\d+) ns/g;

/**
 * Per CPU, how many activations had their thread sample at least `lagNs` behind their own IRQ sample
 * (pairs: same CPU, same seqnum). Thread noise delays the thread behind its IRQ; a loaded host delays
 * whole workers, IRQ and thread alike, so this separates the two where max latency cannot.
 */
export function threadLagCounts(trace: string, cpus: number, lagNs: number): number[] {
  const irqAt = new Map<string, number>();
  const behind = new Array<number>(cpus).fill(0);
  for (const m of trace.matchAll(SAMPLE)) {
    const key = `${Number(m[1])}:${m[2]}`;
    if (m[3] === 'irq') irqAt.set(key, Number(m[4]));
    else if (m[3] === 'thread' && irqAt.has(key) && Number(m[4]) - irqAt.get(key)! >= lagNs) behind[Number(m[1])]!++;
  }
  return behind;
}
