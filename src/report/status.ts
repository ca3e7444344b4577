// The per-CPU status table that `tracelab start` prints (like /proc/interrupts + /proc/stat).
// Presentation only: renders a snapshot it is given.
import type { CpuStats } from '../lab/cpus.js';

/** Render per-CPU counters as an aligned text table. */
export function renderCpuTable(stats: readonly CpuStats[], elapsedNs: number): string {
  const head = ['CPU', 'state', 'LOC', 'IPIs', 'hrtimers', 'syscalls', 'kthread', 'busy%', 'idle%'];
  const rows = stats.map((s) => {
    const total = s.busyNs + s.idleNs || 1;
    return [
      `cpu${s.cpu}`,
      s.state,
      String(s.irqs),
      String(s.ipis),
      String(s.timers),
      String(s.syscalls),
      String(s.kthreadRuns),
      ((100 * s.busyNs) / total).toFixed(2),
      ((100 * s.idleNs) / total).toFixed(2),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const legend = '# LOC: local timer interrupts taken, IPIs: inter-processor interrupts handled (the two rows of /proc/interrupts); hrtimers: timers expired';
  return [`# ${stats.length} simulated CPUs, ${(elapsedNs / 1e9).toFixed(2)} s`, line(head), ...rows.map(line), legend].join('\n');
}
