// The core tracing files (kernel/trace/trace.c): available_tracers, current_tracer, tracing_on,
// and the per_cpu/cpuN/ directories. Control plane only. Values are validated before any state
// changes, so a bad write leaves everything as it was.
import { kerr } from '../../errno.js';
import { parseBool01 } from '../parse.js';
import type { Tracefs } from '../tree.js';

/** What the core files control; the lab implements it. */
export interface TracerControl {
  /** Registered tracer names, `nop` first. */
  available(): readonly string[];
  current(): string;
  /** Switch tracers: stop the old one, start the new one. */
  setCurrent(name: string): Promise<void>;
  tracingOn(): boolean;
  setTracingOn(on: boolean): Promise<void>;
}

/** Register the core files on `fs` for `cpus` CPUs. */
export function addCoreFiles(fs: Tracefs, cpus: number, ctl: TracerControl): void {
  fs.add('available_tracers', { mode: 'r', read: () => `${ctl.available().join(' ')}\n` });
  fs.add('current_tracer', {
    mode: 'rw',
    read: () => `${ctl.current()}\n`,
    write: async (data) => {
      const name = data.trim();
      if (!ctl.available().includes(name)) {
        throw kerr('EINVAL', 'write', 'current_tracer', `unknown tracer ${JSON.stringify(name)}; available: ${ctl.available().join(' ')}`);
      }
      if (name !== ctl.current()) await ctl.setCurrent(name);
    },
  });
  fs.add('tracing_on', {
    mode: 'rw',
    read: () => (ctl.tracingOn() ? '1\n' : '0\n'),
    write: async (data) => {
      const on = parseBool01(data, { path: 'tracing_on' });
      if (on !== ctl.tracingOn()) await ctl.setTracingOn(on);
    },
  });
  for (let c = 0; c < cpus; c++) fs.mkdir(`per_cpu/cpu${c}`);
}
