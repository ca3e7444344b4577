// `tracelab record -o FILE [-d DUR] [--sim-cpus N]` (trace-cmd record): boot a lab, run a marker
// task per CPU as the event source (until a tracer exists), read every CPU's trace_pipe_raw
// through tracefs and write the pages to a tracelab trace file (src/ringbuf/tracefile.ts).
// Control plane. At the end: kill the tasks, stop tracing, drain what is left, write END.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { kerr } from '../../errno.js';
import { Lab, type TracefsHandle } from '../../lab/lab.js';
import { eventFormats, traceFileClock, writeTraceFile, type TraceFileWriter } from '../../lab/tracing.js';
import { program as selftestProgram } from '../../selftest/runner.js';
import { parseUnsigned } from '../../tracefs/parse.js';
import { parseDurationS, parseTimeUs } from '../units.js';
import { checkOutputPath } from '../output-path.js';

/** How long the recording waits for its marker tasks to write their first event before the duration starts. */
const START_BOUND_MS = 20_000;

/** Options of {@link recordTrace}. */
export interface RecordOptions {
  readonly out: string;
  /** Recording time, seconds. @default 1 */
  readonly durationS?: number;
  /** Simulated CPUs. @default 2 */
  readonly cpus?: number;
  /** Sleep between marker lines, µs. @default 2000 */
  readonly markerSleepUs?: number;
  /**
   * The tracer to record (trace-cmd record -p): 'nop' runs a trace_marker task per CPU as the event
   * source; 'timerlat' records the timerlat tracer's samples on every CPU instead. @default 'nop'
   */
  readonly tracer?: 'nop' | 'timerlat';
  /** timerlat_period_us with tracer 'timerlat'. @default 1000 */
  readonly periodUs?: number;
}

/** What a recording wrote. */
export interface RecordSummary {
  readonly pages: number;
  readonly lost: number;
}

/** Record a lab's trace buffer into `opts.out`. */
export async function recordTrace(opts: RecordOptions): Promise<RecordSummary> {
  const cpus = opts.cpus ?? 2;
  const file = createWriteStream(opts.out);
  const failed = once(file, 'error').then(([e]) => { throw e as Error; });
  void failed.catch(() => undefined);
  const lab = await Lab.boot({ cpus });
  let writer: TraceFileWriter | undefined;
  let lost = 0;
  const comms: [number, string][] = [];
  const sink = (b: Uint8Array): void => {
    file.write(b);
  };
  const header = (subbufSize: number): TraceFileWriter => writeTraceFile(sink, {
    cpus, subbufSize, clock: traceFileClock(),
    events: eventFormats().map((e) => ({ type: e.type, name: e.name, ...(e.label === undefined ? {} : { label: e.label }) })), comms,
  });
  const onPage = (cpu: number, s: string): void => {
    const bytes = new Uint8Array(Buffer.from(s, 'latin1'));
    const missed = new DataView(bytes.buffer).getUint32(28, true); // consumePage's lostBefore (src/ringbuf/raw.ts)
    lost += missed;
    writer ??= header(bytes.byteLength);
    writer.page(cpu, bytes, missed);
  };
  try {
    const timerlat = opts.tracer === 'timerlat';
    if (timerlat) {
      await lab.tracefs.write('osnoise/timerlat_period_us', String(opts.periodUs ?? 1000));
      await lab.timerlat.prepare();
      await lab.tracefs.write('current_tracer', 'timerlat');
    }
    const tasks = timerlat ? [] : await Promise.all(Array.from({ length: cpus }, (_, c) => lab.spawn(selftestProgram('marker'), {
      affinity: [c], arg: { count: 1e9, sleepUs: opts.markerSleepUs ?? 2000, prefix: `cpu${c} marker` },
    })));
    for (const t of tasks) comms.push([t.pid, t.comm]);
    if (timerlat) for (let c = 0; c < cpus; c++) comms.push([lab.timerlat.kthreadPid(c), `timerlat/${c}`]);
    const handles: TracefsHandle[] = await Promise.all(Array.from({ length: cpus }, (_, c) => lab.tracefs.open(`per_cpu/cpu${c}/trace_pipe_raw`)));
    const loops = handles.map(async (h, c) => {
      for (let s = await h.read(); s !== ''; s = await h.read()) onPage(c, s);
    });
    // The duration starts when every source has written: a task worker still loading its module
    // (seconds on a loaded machine) must not shorten the recording to nothing. Bounded.
    const started = Date.now();
    const written = (c: number): boolean => {
      const st = lab.ring.stats(c);
      return st.entries + st.readEvents > 0;
    };
    while (!Array.from({ length: cpus }, (_, c) => written(c)).every(Boolean) && Date.now() - started < START_BOUND_MS) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, (opts.durationS ?? 1) * 1000));
    await Promise.all(tasks.map((t) => lab.kill(t.pid, 'SIGKILL')));
    await Promise.all(tasks.map((t) => t.exited));
    await lab.tracefs.write('tracing_on', '0');
    await Promise.all(handles.map((h) => h.close()));
    await loops;
    for (let c = 0; c < cpus; c++) {
      const h = await lab.tracefs.open(`per_cpu/cpu${c}/trace_pipe_raw`);
      while (/^entries: [1-9]/m.test(await lab.tracefs.read(`per_cpu/cpu${c}/stats`))) onPage(c, await h.read());
      await h.close();
    }
    writer ??= header(4096);
    const pages = writer.end();
    file.end();
    await Promise.race([once(file, 'finish'), failed]);
    return { pages, lost };
  } finally {
    if (!file.writableFinished) file.destroy();
    await lab.shutdown();
  }
}

/** Register the record command. */
export function registerRecord(program: Command): void {
  program
    .command('record')
    .description('record the trace buffer of a lab into a tracelab trace file (pages of every CPU)')
    .requiredOption('-o, --output <file>', 'trace file to write')
    .option('-d, --duration <time>', 'how long to record: 10, 10s, 2m, 1h (default 1s)')
    .option('--sim-cpus <n>', 'simulated CPUs (default 2)')
    .option('-p, --tracer <name>', 'tracer to record, as trace-cmd record -p: nop (a trace_marker task per CPU) or timerlat (default nop)')
    .option('--period <us>', 'timerlat period with -p timerlat, 100..1000000 us; units allowed: 500us, 1ms (default 1000)')
    .action(async (o: { output: string; duration?: string; simCpus?: string; tracer?: string; period?: string }) => {
      const durationS = parseDurationS(o.duration ?? '1', '-d/--duration', { min: 1, max: 86_400 });
      const cpus = parseUnsigned(o.simCpus ?? '2', { min: 1, max: 1024 }, { syscall: 'option', path: '--sim-cpus' });
      const tracer = o.tracer ?? 'nop';
      if (tracer !== 'nop' && tracer !== 'timerlat') throw kerr('EINVAL', 'option', '-p/--tracer', `unknown tracer "${tracer}"; available: nop timerlat`);
      // trace-cmd refuses an option its tracer has no use for; a silently ignored period misleads.
      if (o.period !== undefined && tracer !== 'timerlat') throw kerr('EINVAL', 'option', '--period', 'sets timerlat_period_us: it needs -p timerlat (the nop recording has no period)');
      const periodUs = parseTimeUs(o.period ?? '1000', '--period', 100, 1_000_000);
      checkOutputPath(o.output, '-o/--output');
      const s = await recordTrace({ out: o.output, durationS, cpus, tracer, periodUs });
      process.stderr.write(`# recorded ${s.pages} pages (${s.lost} events lost) to ${o.output}\n`);
    });
}
