// The osnoise/ directory of the timerlat tracer (trace_osnoise.c: timerlat_period, stop_tracing_us,
// stop_tracing_total_us, print_stack, options, cpus, per_cpu/cpuN/timerlat_fd) plus
// tracing_max_latency and tracelab's noise files. Control plane only. Every write validates first,
// so a bad value changes nothing.
import { kerr } from '../../errno.js';
import { formatCpuList, parseCpuList, parseUnsigned } from '../parse.js';
import type { OpenOps, Opener, Tracefs } from '../tree.js';

/** The osnoise options, in the kernel's order (osnoise_options_str). */
export const OSNOISE_OPTIONS = ['OSNOISE_WORKLOAD', 'PANIC_ON_STOP', 'OSNOISE_PREEMPT_DISABLE', 'OSNOISE_IRQ_DISABLE', 'TIMERLAT_ALIGN'] as const;
export type OsnoiseOption = (typeof OSNOISE_OPTIONS)[number];
/** Options set by default (the kernel's OSN_DEFAULT_OPTIONS). */
export const DEFAULT_OPTIONS: ReadonlySet<OsnoiseOption> = new Set(['OSNOISE_WORKLOAD']);

/** Numeric knobs and their allowed ranges. */
export const KNOBS = {
  timerlat_period_us: { min: 100, max: 1_000_000 },
  timerlat_align_us: { min: 0, max: 1_000_000 },
  stop_tracing_us: { min: 0, max: 2 ** 31 - 1 },
  stop_tracing_total_us: { min: 0, max: 2 ** 31 - 1 },
  print_stack: { min: 0, max: 2 ** 31 - 1 },
} as const;
export type Knob = keyof typeof KNOBS;

/** What the osnoise files control; the lab implements it. */
export interface OsnoiseControl {
  readonly cpus: number;
  get(knob: Knob): number;
  set(knob: Knob, value: number): void;
  options(): ReadonlySet<OsnoiseOption>;
  setOptions(next: ReadonlySet<OsnoiseOption>): void;
  traceCpus(): readonly number[];
  setTraceCpus(cpus: readonly number[]): void;
  maxLatencyUs(): number;
  setMaxLatencyUs(us: number): void;
  /** open() of per_cpu/cpuN/timerlat_fd: checks and takes the CPU, or throws. */
  openFd(cpu: number, opener: Opener): OpenOps;
  noise(): string;
  /** Resolves once every CPU has placed the sources (the write returns then, as the kernel's does). */
  setNoise(text: string): void | Promise<void>;
  noiseMask(): readonly number[];
  setNoiseMask(cpus: readonly number[]): void | Promise<void>;
}

/** Format the options file as the kernel does: set options by name, cleared ones with NO_. */
export function formatOptions(set: ReadonlySet<OsnoiseOption>): string {
  return `DEFAULTS ${OSNOISE_OPTIONS.map((o) => (set.has(o) ? o : `NO_${o}`)).join(' ')}\n`;
}

/** Apply an options write (`NO_OSNOISE_WORKLOAD`, `OSNOISE_WORKLOAD`, `DEFAULTS`, …) to `cur`. */
export function applyOptions(cur: ReadonlySet<OsnoiseOption>, text: string): Set<OsnoiseOption> {
  const next = new Set(cur);
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) throw kerr('EINVAL', 'write', 'osnoise/options', 'empty; write an option name, NO_<name> or DEFAULTS');
  for (const w of words) {
    if (w === 'DEFAULTS') {
      next.clear();
      for (const o of DEFAULT_OPTIONS) next.add(o);
      continue;
    }
    const neg = w.startsWith('NO_');
    const name = (neg ? w.slice(3) : w) as OsnoiseOption;
    if (!OSNOISE_OPTIONS.includes(name)) {
      throw kerr('EINVAL', 'write', 'osnoise/options', `unknown option ${JSON.stringify(w)}; options: DEFAULTS ${OSNOISE_OPTIONS.join(' ')} (prefix NO_ to clear)`);
    }
    if (neg) next.delete(name);
    else next.add(name);
  }
  return next;
}

/** Register the osnoise files. */
export function addOsnoiseFiles(fs: Tracefs, ctl: OsnoiseControl): void {
  for (const knob of Object.keys(KNOBS) as Knob[]) {
    fs.add(`osnoise/${knob}`, {
      mode: 'rw',
      read: () => `${ctl.get(knob)}\n`,
      write: (data) => ctl.set(knob, parseUnsigned(data, KNOBS[knob], { path: `osnoise/${knob}` })),
    });
  }
  fs.add('osnoise/options', { mode: 'rw', read: () => formatOptions(ctl.options()), write: (data) => ctl.setOptions(applyOptions(ctl.options(), data)) });
  fs.add('osnoise/cpus', {
    mode: 'rw',
    read: () => `${formatCpuList(ctl.traceCpus())}\n`,
    write: (data) => ctl.setTraceCpus(parseCpuList(data, ctl.cpus, { path: 'osnoise/cpus' })),
  });
  fs.add('tracing_max_latency', {
    mode: 'rw',
    read: () => `${ctl.maxLatencyUs()}\n`,
    write: (data) => ctl.setMaxLatencyUs(parseUnsigned(data, { max: 2 ** 31 - 1 }, { path: 'tracing_max_latency' })),
  });
  fs.add('osnoise/noise', { mode: 'rw', read: () => ctl.noise(), write: (data) => ctl.setNoise(data) });
  fs.add('osnoise/noise_mask', {
    mode: 'rw',
    read: () => `${formatCpuList(ctl.noiseMask())}\n`,
    write: (data) => ctl.setNoiseMask(data.trim() === '' ? [] : parseCpuList(data, ctl.cpus, { path: 'osnoise/noise_mask' })),
  });
  for (let c = 0; c < ctl.cpus; c++) {
    fs.add(`osnoise/per_cpu/cpu${c}/timerlat_fd`, { mode: 'r', open: (opener) => ctl.openFd(c, opener) });
  }
}
