// The auto-analysis block printed when a threshold stopped tracing, laid out as rtla's
// timerlat_aa.c (timerlat_auto_analysis, timerlat_thread_analysis): `## CPU N hit stop tracing,
// analyzing it ##`, then IRQ handler delay, IRQ latency, timer IRQ duration, the blocking thread and
// the IRQ/softirq/thread interference, named, in µs and percent of the total. Without a
// StopAnalysis from the tracer it prints what StopInfo and the configured noise say instead.
// Presentation only.
import type { StopAnalysis, StopInfo } from '../lab/timerlat.js';
import type { NoiseInfo } from './timerlat-types.js';

/** A task shown by --dump-tasks. */
export interface CpuTask {
  readonly cpu: number;
  readonly comm: string;
  readonly pid: number;
}

const us = (ns: number): string => (ns / 1000).toFixed(2).padStart(9);
const per = (total: number, ns: number): string => (total > 0 ? ((100 * ns) / total).toFixed(2) : '0.00');
const named = (name: string, id: number, ns?: number): string => `\t${name.padStart(24)}:${String(id).padEnd(9)}${ns === undefined ? '' : `\t\t${us(ns)} us`}`;

/** Render the block for one stop (threshold or exception). */
export function renderAutoAnalysis(stop: StopInfo, noiseOnCpu: readonly NoiseInfo[]): string {
  if (stop.kind === 'exception') {
    return `## CPU ${stop.cpu} stopped tracing: ${stop.taint} ##\n`;
  }
  const out = [`## CPU ${stop.cpu} hit stop tracing, analyzing it ##`];
  if (stop.analysis !== undefined) {
    out.push(...fromAnalysis(stop, stop.analysis));
    if (noiseOnCpu.length > 0) out.push(...noiseLines(stop.cpu, noiseOnCpu));
  } else out.push(...fallback(stop, noiseOnCpu));
  return `${out.join('\n')}\n`;
}

function fromAnalysis(stop: StopInfo & { kind: 'threshold' }, a: StopAnalysis): string[] {
  const irq = stop.context === 'irq' || a.threadLatencyNs === null;
  const total = irq ? stop.latencyNs : (a.threadLatencyNs ?? stop.latencyNs);
  const out: string[] = [];
  const threads = a.blocking.filter((b) => b.kind === 'thread');
  const irqs = a.blocking.filter((b) => b.kind === 'irq');
  const softirqs = a.blocking.filter((b) => b.kind === 'softirq');
  const others = a.blocking.filter((b) => b.kind !== 'thread' && b.kind !== 'irq' && b.kind !== 'softirq');
  const sum = (xs: typeof a.blocking): number => xs.reduce((s, b) => s + b.durationNs, 0);
  // An IRQ-off section that ran before the timer IRQ could start (rtla: previous IRQ interference).
  if (irq) for (const b of [...irqs, ...softirqs]) {
    out.push(`  Previous IRQ interference:\t\t\t up to  ${us(b.durationNs)} us`, named(b.name, 0));
  }
  // rtla's %16s slot: "(exit from idle)" when the timer IRQ woke an idle CPU (here: the actor asleep in
  // Atomics.wait, which the saved stack names; without a stack, nothing ran before the IRQ).
  const fromIdle = a.stack !== undefined ? a.stack.some((f) => f.startsWith('default_idle_call')) : a.blocking.length === 0;
  out.push(`  IRQ handler delay:\t\t${(fromIdle ? '(exit from idle)' : '').padStart(16)}\t${us(a.irqLatencyNs)} us (${per(total, a.irqLatencyNs)} %)`);
  out.push(`  IRQ latency:\t\t\t\t\t\t${us(irq ? stop.latencyNs : a.irqLatencyNs)} us`);
  if (irq) {
    const running = threads[0];
    out.push('  Blocking thread:', named(running?.name ?? `swapper/${stop.cpu}`, 0));
    out.push(...stackLines(a.stack));
  } else {
    out.push(`  Timerlat IRQ duration:\t\t\t\t${us(a.irqDurationNs)} us (${per(total, a.irqDurationNs)} %)`);
    const blocking = threads[0];
    const bNs = blocking?.durationNs ?? 0;
    out.push(`  Blocking thread:\t\t\t\t\t${us(bNs)} us (${per(total, bNs)} %)`);
    out.push(named(blocking?.name ?? `swapper/${stop.cpu}`, 0, bNs));
    out.push(...stackLines(a.stack));
    if (irqs.length > 0) {
      out.push(`  IRQ interference\t\t\t\t\t${us(sum(irqs))} us (${per(total, sum(irqs))} %)`);
      for (const b of irqs) out.push(`\t${b.name.padStart(24)}:${'0'.padEnd(3)}\t\t\t${us(b.durationNs)} us`);
    }
    if (softirqs.length > 0) {
      out.push(`  Softirq interference\t\t\t\t\t${us(sum(softirqs))} us (${per(total, sum(softirqs))} %)`);
      for (const b of softirqs) out.push(`\t${b.name.padStart(24)}:${'0'.padEnd(3)}\t\t\t${us(b.durationNs)} us`);
    }
    const rest = [...threads.slice(1), ...others];
    if (rest.length > 0) {
      out.push(`  Thread interference\t\t\t\t\t${us(sum(rest))} us (${per(total, sum(rest))} %)`);
      for (const b of rest) out.push(named(b.name, 0, b.durationNs));
    }
  }
  out.push('------------------------------------------------------------------------');
  out.push(`  ${irq ? 'IRQ' : 'Thread'} latency:\t\t\t\t\t${us(total)} us (100%)`);
  return out;
}

// rtla's timerlat_aa_stack_handler: the `<stack trace>` print_stack wrote, printed after the
// blocking thread. Our frames name the CPU actor's real state (docs/timerlat.md), innermost first.
function stackLines(stack: readonly string[] | undefined): string[] {
  if (stack === undefined || stack.length === 0) return [];
  return ['    Blocking thread stack trace', ...stack.map((f) => `\t\t-> ${f}`)];
}

// No per-event breakdown from the tracer (a user-mode holder's thread sample stopped tracing): say
// so, show the stack it dumped if any, and name what was configured to run on that CPU.
function fallback(stop: StopInfo & { kind: 'threshold' }, noise: readonly NoiseInfo[]): string[] {
  const irq = stop.context === 'irq';
  const out = [`  ${stop.context} sample of ${(stop.latencyNs / 1000).toFixed(2)} us crossed the ${stop.thresholdUs} us threshold`, '  (no per-event breakdown recorded by the tracer for this stop)'];
  // A user-mode holder's stop has no breakdown, but its print_stack dump names what the IRQ interrupted.
  out.push(...stackLines(stop.stack));
  if (noise.length === 0) out.push(`  Noise sources on CPU ${stop.cpu}: none configured (the delay came from the host: GC, other threads, the OS)`);
  else out.push(...noiseLines(stop.cpu, noise));
  out.push('------------------------------------------------------------------------');
  out.push(`  ${irq ? 'IRQ' : stop.context === 'user-ret' ? 'Ret user' : 'Thread'} latency:\t\t\t\t\t${us(stop.latencyNs)} us (100%)`);
  return out;
}

function noiseLines(cpu: number, noise: readonly NoiseInfo[]): string[] {
  return [`  Noise sources configured on CPU ${cpu}:`, ...noise.map((n) => `\t${n.name.padStart(24)}:${n.kind.padEnd(9)}\t${us(n.durationUs * 1000)} us every ${n.periodUs} us`)];
}

/** rtla's --dump-tasks listing: `    [%.3d] %24s:%llu`. */
export function renderDumpTasks(tasks: readonly CpuTask[]): string {
  return `\nPrinting CPU tasks:\n${tasks.map((t) => `    [${String(t.cpu).padStart(3, '0')}] ${t.comm.padStart(24)}:${t.pid}`).join('\n')}\n`;
}
