// Option parsing and validation for `tracelab timerlat top|hist` (rtla timerlat_top/hist_parse_args):
// commander's raw strings in, one validated TimerlatPlan out. Every bad value throws EINVAL naming
// the option and its allowed range; conflicting options are errors. Pure; runs in the CLI process.
import { availableParallelism } from 'node:os';
import { KernelError, kerr } from '../../errno.js';
import { DEFAULT_TIMER_SLACK_NS, MAX_TIMER_SLACK_NS } from '../../lab/lab-options.js';
import { parseNoiseSpec } from '../../lab/noise-spec.js';
import { parseCpuList, parseUnsigned } from '../../tracefs/parse.js';
import { parseDurationS, parseTimeUs as timeUs } from '../units.js';

type NoiseSpec = ReturnType<typeof parseNoiseSpec>;

/** An --on-threshold / --on-end action (rtla actions.c). */
export type TimerlatAction =
  | { readonly kind: 'trace'; readonly file: string }
  | { readonly kind: 'shell'; readonly command: string }
  | { readonly kind: 'continue' };

/** What commander hands over (strings as typed; flags as booleans). */
export interface RawTimerlatOptions {
  cpus?: string; period?: string; duration?: string; irq?: string | boolean; thread?: string | boolean; stack?: string;
  trace?: string | boolean; auto?: string; aaOnly?: string; aa?: boolean; dumpTasks?: boolean;
  onThreshold?: string[]; onEnd?: string[]; kernelThreads?: boolean; userThreads?: boolean; userLoad?: string;
  aligned?: string; nano?: boolean; quiet?: boolean; warmUp?: string; traceBufferSize?: string;
  bucketSize?: string; entries?: string; header?: boolean; summary?: boolean; index?: boolean; withZeros?: boolean;
  simCpus?: string; noise?: string[]; noiseMask?: string; isolate?: string; seed?: string; json?: string; html?: string; logBuckets?: boolean;
  timerSlack?: string;
}

/** Flags seen through commander's option events (`--no-irq` shares its attribute with `-i/--irq`). */
export interface SeenFlags {
  irqUs?: string;
  threadUs?: string;
  noIrq: boolean;
  noThread: boolean;
}

/** A validated run. */
export interface TimerlatPlan {
  readonly tool: 'top' | 'hist';
  readonly simCpus: number;
  readonly cpus: readonly number[];
  readonly periodUs: number;
  readonly durationS: number | null;
  readonly irqUs: number | null;
  readonly threadUs: number | null;
  readonly stackUs: number | null;
  readonly traceFile: string | null;
  readonly aaOnly: boolean;
  readonly noAa: boolean;
  readonly dumpTasks: boolean;
  readonly onThreshold: readonly TimerlatAction[];
  readonly onEnd: readonly TimerlatAction[];
  readonly workload: 'kernel' | 'user' | 'user-load';
  readonly userLoad: string | null;
  readonly alignedUs: number | null;
  readonly nano: boolean;
  readonly quiet: boolean;
  readonly warmUpS: number;
  readonly traceBufferKb: number | null;
  readonly bucketSize: number;
  readonly entries: number;
  readonly noIrq: boolean;
  readonly noThread: boolean;
  readonly noHeader: boolean;
  readonly noSummary: boolean;
  readonly noIndex: boolean;
  readonly withZeros: boolean;
  readonly noise: readonly NoiseSpec[];
  readonly noiseText: readonly string[];
  readonly noiseMask: readonly number[];
  readonly isolate: readonly number[];
  readonly seed: number;
  readonly json: string | null;
  readonly html: string | null;
  readonly logBuckets: boolean;
  /** LabOptions.timerSlackNs. */
  readonly timerSlackNs: number | 'inherit';
}

const site = (path: string): { syscall: string; path: string } => ({ syscall: 'option', path });
const bad = (path: string, hint: string): never => {
  throw kerr('EINVAL', 'option', path, hint);
};

// The lab's parser reports a bad spec as its tracefs write (osnoise/noise); here it is an option.
function noiseSpec(text: string): NoiseSpec {
  try {
    return parseNoiseSpec(text, '--noise');
  } catch (e) {
    if (e instanceof KernelError) throw kerr(e.code, 'option', '--noise', e.detail);
    throw e;
  }
}

/** Parse an action list item: trace[,file=F] | shell,command=C | continue. */
export function parseAction(text: string, path: string): TimerlatAction {
  const form = 'expected trace[,file=FILE], shell,command=CMD or continue';
  const [kind, ...rest] = text.split(',');
  const args = new Map<string, string>();
  for (const r of rest) {
    const eq = r.indexOf('=');
    if (eq <= 0) bad(path, `${JSON.stringify(text)}: bad argument ${JSON.stringify(r)}; ${form}`);
    args.set(r.slice(0, eq), r.slice(eq + 1));
  }
  const only = (allowed: string[]): void => {
    for (const k of args.keys()) if (!allowed.includes(k)) bad(path, `${JSON.stringify(text)}: unknown argument ${k}; ${form}`);
  };
  if (kind === 'trace') {
    only(['file']);
    return { kind, file: args.get('file') ?? 'timerlat_trace.txt' };
  }
  if (kind === 'shell') {
    only(['command']);
    const command = args.get('command');
    if (command === undefined || command === '') return bad(path, `${JSON.stringify(text)}: shell needs command=CMD; ${form}`);
    return { kind, command };
  }
  if (kind === 'continue') {
    only([]);
    return { kind };
  }
  return bad(path, `${JSON.stringify(text)} is not an action; ${form}`);
}

/** Validate everything; throws EINVAL naming the option. */
export function planTimerlat(tool: 'top' | 'hist', o: RawTimerlatOptions, seen: SeenFlags): TimerlatPlan {
  const simCpus = o.simCpus === undefined ? Math.max(2, availableParallelism()) : parseUnsigned(o.simCpus, { min: 1, max: 1024 }, site('--sim-cpus'));
  const all = Array.from({ length: simCpus }, (_, i) => i);
  const cpus = o.cpus === undefined ? all : parseCpuList(o.cpus, simCpus, site('-c/--cpus'));
  const periodUs = o.period === undefined ? 1000 : timeUs(o.period, '-p/--period', 100, 1_000_000);
  let durationS: number | null = null;
  if (o.duration !== undefined) {
    durationS = parseDurationS(o.duration, '-d/--duration');
    if (durationS === 0) bad('-d/--duration', `${JSON.stringify(o.duration)}: a session lasts at least 1s (rtla rejects -d 0); omit -d to run until Ctrl-C`);
  }
  const MAXUS = 2 ** 31 - 1;
  let irqUs = seen.irqUs === undefined ? null : timeUs(seen.irqUs, '-i/--irq', 1, MAXUS);
  let threadUs = seen.threadUs === undefined ? null : timeUs(seen.threadUs, '-T/--thread', 1, MAXUS);
  let stackUs = o.stack === undefined ? null : timeUs(o.stack, '-s/--stack', 1, MAXUS);
  let traceFile: string | null = o.trace === undefined || o.trace === false ? null : o.trace === true ? 'timerlat_trace.txt' : o.trace;
  const noAa = o.aa === false;
  if (o.aaOnly !== undefined && noAa) bad('--aa-only', '--aa-only and --no-aa conflict: --aa-only prints nothing but the auto-analysis');
  if (o.auto !== undefined && o.aaOnly !== undefined) bad('-a/--auto', '-a/--auto and --aa-only conflict; use one');
  for (const [text, path] of [[o.auto, '-a/--auto'], [o.aaOnly, '--aa-only']] as const) {
    if (text === undefined) continue;
    const us = timeUs(text, path, 1, MAXUS);
    irqUs ??= us;
    threadUs ??= us;
    stackUs ??= us;
    if (path === '-a/--auto') traceFile ??= 'timerlat_trace.txt';
  }
  if (seen.noIrq && seen.noThread) bad('--no-irq', '--no-irq and --no-thread conflict: nothing would be left to show');
  if (o.userThreads === true && o.kernelThreads === true) bad('-u/--user-threads', '-u/--user-threads and -k/--kernel-threads conflict; pick one workload');
  if (o.userLoad !== undefined && o.kernelThreads === true) bad('-U/--user-load', '-U/--user-load and -k/--kernel-threads conflict; pick one workload');
  if (o.userLoad !== undefined && o.userThreads === true) bad('-U/--user-load', '-U/--user-load and -u/--user-threads conflict: -u runs tracelab\'s own timerlat_fd loop, -U yours');
  if (o.userLoad === '') bad('-U/--user-load', 'needs a module path (a .js file exporting default main(ctx, arg))');
  const workload = o.userLoad !== undefined ? 'user-load' : o.userThreads === true ? 'user' : 'kernel';
  const onThreshold = (o.onThreshold ?? []).map((a) => parseAction(a, '--on-threshold'));
  const onEnd = (o.onEnd ?? []).map((a) => parseAction(a, '--on-end'));
  if (onEnd.some((a) => a.kind === 'continue')) bad('--on-end', 'continue only makes sense with --on-threshold');
  const warmUpS = o.warmUp === undefined ? 0 : parseDurationS(o.warmUp, '--warm-up');
  const traceBufferKb = o.traceBufferSize === undefined ? null : parseUnsigned(o.traceBufferSize, { min: 1, max: 1_048_576 }, site('--trace-buffer-size'));
  const bucketSize = o.bucketSize === undefined ? 1 : parseUnsigned(o.bucketSize, { min: 1, max: 999_999 }, site('-b/--bucket-size'));
  const entries = o.entries === undefined ? 256 : parseUnsigned(o.entries, { min: 10, max: 9_999_999 }, site('-E/--entries'));
  const seed = o.seed === undefined ? 1 : parseUnsigned(o.seed, { max: 0xffffffff }, site('--seed'));
  const noiseText = o.noise ?? [];
  const noise = noiseText.map((t, i) => {
    const spec = noiseSpec(t);
    // --seed seeds random sources that name no seed of their own; each source gets its own stream.
    return spec.random === true && !/:seed=\d+/.test(t) ? { ...spec, seed: (seed + i) >>> 0 } : spec;
  });
  const isolate = o.isolate === undefined ? [] : parseCpuList(o.isolate, simCpus, site('--isolate'));
  const maskBase = o.noiseMask === undefined ? all : parseCpuList(o.noiseMask, simCpus, site('--noise-mask'));
  const noiseMask = maskBase.filter((c) => !isolate.includes(c));
  if (noise.length > 0 && noiseMask.length === 0) bad('--isolate', 'every CPU of the noise mask is isolated: the --noise sources would run nowhere');
  if (o.json === '') bad('--json', 'needs a file name, or - for standard output');
  const alignedUs = o.aligned === undefined ? null : timeUs(o.aligned, '-A/--aligned', 0, periodUs);
  const timerSlackNs = o.timerSlack === undefined ? DEFAULT_TIMER_SLACK_NS : o.timerSlack === 'inherit' ? 'inherit' : parseUnsigned(o.timerSlack, { min: 1, max: MAX_TIMER_SLACK_NS }, site('--timer-slack'));
  return {
    tool, simCpus, cpus, periodUs, durationS, irqUs, threadUs, stackUs, traceFile,
    aaOnly: o.aaOnly !== undefined, noAa, dumpTasks: o.dumpTasks === true, onThreshold, onEnd,
    workload, userLoad: o.userLoad ?? null, alignedUs, nano: o.nano === true, quiet: o.quiet === true, warmUpS, traceBufferKb,
    bucketSize, entries, noIrq: seen.noIrq, noThread: seen.noThread, noHeader: o.header === false, noSummary: o.summary === false,
    noIndex: o.index === false, withZeros: o.withZeros === true, noise, noiseText, noiseMask, isolate, seed,
    json: o.json ?? null, html: o.html ?? null, logBuckets: o.logBuckets === true, timerSlackNs,
  };
}
