// `tracelab timerlat top|hist` (rtla timerlat top/hist): commander options with rtla's names and
// meanings plus tracelab's own (--sim-cpus, --noise, --json, --html …), then plan → run → report.
// Exit codes as rtla: 0 ran, 1 error (bad option: one line naming it, no stack), 2 stop tracing hit.
// Also runDefaultExperiment(), the `npm start` job. CLI process.
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { planTimerlat, type RawTimerlatOptions, type SeenFlags, type TimerlatPlan } from './timerlat-options.js';
import { runTimerlat, type RunIo } from './timerlat-run.js';
import { checkOutputPath } from '../output-path.js';

const NOISE_HELP = 'noise source KIND:DURATION/PERIOD[:random][:seed=N][:name=NAME], KIND irq|softirq|thread, e.g. thread:500us/10ms (repeatable)';

function collectList(value: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), value];
}

// Options shared by top and hist (rtla's common + timerlat ones), then tracelab's own.
function addShared(cmd: Command, seen: SeenFlags): Command {
  cmd
    .option('-c, --cpus <list>', 'run the tracer only on the given cpus (default: all simulated CPUs)')
    .option('-p, --period <us>', 'timerlat period in us, 100..1000000; units allowed: 500us, 1ms (default 1000)')
    .option('-d, --duration <time>', 'duration of the session: N[s|m|h|d] (default: until Ctrl-C)')
    .option('-i, --irq <us>', 'stop trace if the irq latency is higher than the argument in us')
    .option('-T, --thread <us>', 'stop trace if the thread latency is higher than the argument in us')
    .option('-s, --stack <us>', 'save the stack trace at the IRQ if a thread latency is higher than the argument in us')
    .option('-t, --trace [file]', 'save the stopped trace to [file|timerlat_trace.txt]')
    .option('-a, --auto <us>', 'set automatic trace mode, stopping the session if argument in us latency is hit')
    .option('--aa-only <us>', 'stop if <us> latency is hit, only printing the auto analysis')
    .option('--no-aa', 'disable auto-analysis')
    .option('--dump-tasks', 'prints the task running on all CPUs if stop conditions are met (depends on !--no-aa)')
    .option('--on-threshold <action>', 'action at the latency threshold: trace[,file=F] | shell,command=C | continue (repeatable)', collectList)
    .option('--on-end <action>', 'action at the end of the measurement: trace[,file=F] | shell,command=C (repeatable)', collectList)
    .option('-k, --kernel-threads', 'use timerlat kernel-space threads (the default here)')
    .option('-u, --user-threads', 'use tracelab user-space tasks looping on timerlat_fd instead of kernel threads')
    .option('-U, --user-load <module>', 'run MODULE (export default main(ctx, { cpu })) pinned on each CPU; it opens timerlat_fd itself')
    .option('-A, --aligned <us>', 'align thread wake-ups across CPUs: CPU k first wakes k × <us> after the first (osnoise/timerlat_align_us + TIMERLAT_ALIGN)')
    .option('-n, --nano', 'display data in nanoseconds')
    .option('-q, --quiet', 'print only a summary at the end')
    .option('--warm-up <s>', 'let the workload run for s seconds before collecting data')
    .option('--trace-buffer-size <kB>', 'set the per-cpu trace buffer size in kB')
    .option('--sim-cpus <n>', 'simulated CPUs, 1..1024 (default: the number of cores, at least 2)')
    .option('--noise <spec>', NOISE_HELP, collectList)
    .option('--noise-mask <list>', 'CPUs the noise sources run on (default: all)')
    .option('--isolate <list>', 'CPUs removed from the noise mask (kept clean)')
    .option('--seed <n>', 'seed of random noise sources that name none (default 1)')
    .option('--timer-slack <ns>', "timer slack of the lab's threads in ns, 1..1000000000, or inherit (default 1, as a real-time task)")
    .option('--json <file>', 'write the results as JSON (docs/timerlat-json.schema.json) to FILE, or - for stdout')
    .option('--html <file>', 'write a self-contained HTML report with a histogram per CPU and context');
  // -i/--irq and --no-irq (hist) share commander's `irq` attribute: record each as it is seen.
  cmd.on('option:irq', (v: string) => (seen.irqUs = v));
  cmd.on('option:thread', (v: string) => (seen.threadUs = v));
  return cmd;
}

function stdio(): RunIo {
  const tty = process.stdout.isTTY === true;
  return { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), tty, color: tty && process.env['NO_COLOR'] === undefined };
}

async function execute(tool: 'top' | 'hist', o: RawTimerlatOptions, seen: SeenFlags): Promise<void> {
  const plan = planTimerlat(tool, o, seen);
  checkOutputs(plan);
  const r = await runTimerlat(plan, stdio());
  process.exitCode = r.code;
}

// Every file the run will write, checked before it starts (not after the whole measurement).
function checkOutputs(plan: TimerlatPlan): void {
  if (plan.json !== null && plan.json !== '-') checkOutputPath(plan.json, '--json');
  if (plan.html !== null) checkOutputPath(plan.html, '--html');
  if (plan.traceFile !== null) checkOutputPath(plan.traceFile, '-t/--trace');
  for (const [actions, option] of [[plan.onThreshold, '--on-threshold'], [plan.onEnd, '--on-end']] as const) {
    for (const a of actions) if (a.kind === 'trace') checkOutputPath(a.file, option);
  }
}

/** Register `timerlat` with its `top` and `hist` subcommands. */
export function registerTimerlat(program: Command): Command {
  const timerlat = program.command('timerlat').description('timer latency of simulated CPUs, as rtla timerlat: top (per-CPU summary, the default, as in rtla) or hist (histogram)');
  const topSeen: SeenFlags = { noIrq: false, noThread: false };
  addShared(timerlat.command('top').description('a per-cpu summary of the timer latency'), topSeen)
    .action(async (o: RawTimerlatOptions) => execute('top', o, topSeen));
  const histSeen: SeenFlags = { noIrq: false, noThread: false };
  const hist = addShared(timerlat.command('hist').description('a per-cpu histogram of the timer latency'), histSeen)
    .option('-b, --bucket-size <n>', 'set the histogram bucket size, 1..999999 (default 1)')
    .option('-E, --entries <n>', 'set the number of entries of the histogram, 10..9999999 (default 256)')
    .option('--no-irq', 'ignore IRQ latencies')
    .option('--no-thread', 'ignore thread latencies')
    .option('--no-header', 'do not print header')
    .option('--no-summary', 'do not print summary')
    .option('--no-index', 'do not print index')
    .option('--with-zeros', 'print zero only entries')
    .option('--log-buckets', 'power-of-two rows instead of -b/-E linear buckets');
  hist.on('option:no-irq', () => (histSeen.noIrq = true));
  hist.on('option:no-thread', () => (histSeen.noThread = true));
  hist.action(async (o: RawTimerlatOptions) => execute('hist', o, histSeen));
  return timerlat;
}

/** Where the default experiment writes its HTML report. */
export const DEFAULT_REPORT = 'tracelab-report.html';

/**
 * The `npm start` job: a 10-second `timerlat top` on every simulated CPU, one thread noise source
 * on the last CPU and CPU 0 isolated, then the summary and the path of the HTML report.
 */
export async function runDefaultExperiment(opts: { readonly cpus?: number; readonly durationS?: number; readonly html?: string } = {}): Promise<number> {
  const simCpus = opts.cpus ?? Math.max(2, availableParallelism());
  const last = simCpus - 1;
  const html = resolve(opts.html ?? DEFAULT_REPORT);
  const plan: TimerlatPlan = planTimerlat('top', {
    simCpus: String(simCpus),
    duration: `${opts.durationS ?? 10}s`,
    quiet: true,
    noise: ['thread:200us/5ms:random:name=default-noise'], // random phase: a fixed 5 ms source locks to the 1 ms timer and may never overlap it
    noiseMask: String(last),
    isolate: '0',
    html,
  }, { noIrq: false, noThread: false });
  const io = stdio();
  io.out(`# tracelab timerlat top: ${simCpus} simulated CPUs, ${plan.durationS} s, period ${plan.periodUs} us; noise default-noise (thread, random: on average 200 us every 5 ms, seed 1) on CPU ${last}, CPU 0 isolated\n`);
  const r = await runTimerlat(plan, { ...io, tty: false });
  io.out(`# HTML report: ${html}\n`);
  return r.code;
}
