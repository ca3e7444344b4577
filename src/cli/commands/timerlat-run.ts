// Running a timerlat experiment (rtla timerlat_top_main / timerlat_hist_main): control (boot a lab,
// save and set the osnoise knobs, place noise, start the workload and the user loads), collection
// (one TimerlatResult from the lab's per-CPU accumulators and ring stats) and the end of the run
// (duration, SIGINT, stop tracing). Presentation is left to src/report. CLI process, control plane.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, arch, platform, release, type as osType } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Lab } from '../../lab/lab.js';
import { Knobs } from '../../lab/knobs.js';
import { formatNoiseSpec } from '../../lab/noise-spec.js';
import { summarizeRecord } from '../../lab/timerlat-snapshot.js';
import type { StopInfo } from '../../lab/timerlat.js';
import type { Task } from '../../lab/tasks.js';
import { program as selftestProgram } from '../../selftest/runner.js';
import { formatCpuList } from '../../tracefs/parse.js';
import { renderAutoAnalysis, renderDumpTasks } from '../../report/timerlat-aa.js';
import { renderTimerlatHist } from '../../report/timerlat-hist.js';
import { renderTimerlatHtml } from '../../report/timerlat-html.js';
import { renderTimerlatJson } from '../../report/timerlat-json.js';
import { renderTimerlatTop } from '../../report/timerlat-top.js';
import type { ContextResult, CpuResult, NoiseInfo, RunEnd, TimerlatResult } from '../../report/timerlat-types.js';
import type { TimerlatAction, TimerlatPlan } from './timerlat-options.js';

/** Where the text goes (tests and the default experiment pass their own). */
export interface RunIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** stdout is a terminal: refresh top every second, show hist progress. */
  readonly tty: boolean;
  /** Colours allowed (a TTY and no NO_COLOR). */
  readonly color: boolean;
}

/** Exit code (0 ran, 2 stop tracing hit) and the result. */
export interface RunOutcome {
  readonly code: 0 | 2;
  readonly result: TimerlatResult;
}

const CTX_FILE = { irq: 'irq', thread: 'thread', user: 'user-ret' } as const;

/** Run one experiment; the lab is always shut down and every knob restored. */
export async function runTimerlat(plan: TimerlatPlan, io: RunIo): Promise<RunOutcome> {
  const sig = sigintLatch(io);
  const lab = await Lab.boot({ cpus: plan.simCpus, timerSlackNs: plan.timerSlackNs });
  const knobs = new Knobs(lab.tracefs);
  // A refusal is worth a warning; a system without /proc/TID/timerslack_ns (ENOENT) has no slack to
  // set, and the summary's `# timer slack: unknown` line says so.
  const slack = lab.timerSlack;
  if (slack.failed !== null && slack.failed !== 'ENOENT') io.err(`# timer slack: could not set ${String(plan.timerSlackNs)} ns (${slack.failed}); the lab's threads keep ${slack.ns ?? 'an unknown'} ns\n`);
  const tasks: Task[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    // rtla sets everything up with the trace buffer off and turns it on only to measure
    // (trace_instance_start): the ring can be resized only while tracing_on is 0 (EBUSY otherwise).
    await knobs.set('tracing_on', 0);
    if (plan.traceBufferKb !== null) await knobs.set('buffer_size_kb', plan.traceBufferKb);
    await knobs.set('osnoise/timerlat_period_us', plan.periodUs);
    // The stop thresholds are armed after the warm-up (armThresholds below): a crossing while warming
    // up must neither stop the run nor leave the measured phase with tracing off.
    const armThresholds = async (): Promise<void> => {
      if (plan.irqUs !== null) await knobs.set('osnoise/stop_tracing_us', plan.irqUs);
      if (plan.threadUs !== null) await knobs.set('osnoise/stop_tracing_total_us', plan.threadUs);
      if (plan.stackUs !== null) await knobs.set('osnoise/print_stack', plan.stackUs);
    };
    await knobs.set('osnoise/cpus', formatCpuList(plan.cpus));
    if (plan.alignedUs !== null) await knobs.set('osnoise/timerlat_align_us', plan.alignedUs);
    const options = [plan.workload !== 'kernel' ? 'NO_OSNOISE_WORKLOAD' : '', plan.alignedUs !== null ? 'TIMERLAT_ALIGN' : ''].filter((o) => o !== '');
    if (options.length > 0) await knobs.set('osnoise/options', options.join(' '));
    await lab.timerlat.setNoise(plan.noise, plan.noiseMask);
    await lab.timerlat.prepare(); // every traced CPU optimised before any traces (rtla's threads start hot too)

    const start = async (): Promise<void> => {
      await knobs.set('current_tracer', 'timerlat');
      tasks.push(...(await spawnLoads(lab, plan, io)));
    };
    const stopWorkload = async (): Promise<void> => {
      await lab.tracefs.write('current_tracer', 'nop'); // SIGKILLs fd holders (timerlat_fd_release)
      await Promise.all(tasks.splice(0).map((t) => t.exited));
    };
    // --warm-up: the workload runs with the buffer off and no threshold armed; then it is restarted
    // (fresh accumulators) and only the measured phase is traced, counted and checked.
    if (plan.warmUpS > 0 && !sig.fired) {
      await start();
      await Promise.race([sleep(plan.warmUpS * 1000, timers), sig.first]);
      await stopWorkload();
    }
    await armThresholds();
    await knobs.put('trace', ''); // `echo > trace`: nothing from before the measured phase
    await knobs.put('tracing_on', 1);

    // The end of the run: -d, SIGINT, or a stop (threshold or exception) without `continue`.
    let stopInfo: StopInfo | null = null;
    let stopResult: TimerlatResult | null = null;
    let continued = false;
    let startedNs = 0;
    const startedAt = new Date();
    let endRun: (e: RunEnd) => void = () => undefined;
    const ended = new Promise<RunEnd>((r) => (endRun = r));
    const collectNow = (end: RunEnd): TimerlatResult => collect(lab, plan, end, startedAt, (lab.now() - startedNs) / 1e9, stopInfo);
    let recorded: { cpu: number; lines: string[] } | null = null;
    // rtla's main loop: when tracing went off, run the --on-threshold actions; with `continue`,
    // turn tracing back on (tracer.restart re-arms the stop record), so every later crossing runs
    // them again. Tracing stays off while the actions run, so a stop reported then (an exception) is
    // ignored, as rtla handles one stop per round; after the run ended no actions start (common.c).
    let handling = false;
    let finished = false;
    let actionsDone: Promise<void> = Promise.resolve();
    let actionError: unknown = null;
    lab.timerlat.on('stop', (info) => {
      if (handling || finished) return;
      handling = true;
      stopInfo = info;
      continued = false;
      // -t: keep the hit CPU's trace around the hit (swapCpu), even if tracing continues.
      if (plan.traceFile !== null || plan.onThreshold.some((a) => a.kind === 'trace')) recorded = { cpu: info.cpu, lines: lab.flightRecord(info.cpu) };
      const end: RunEnd = info.kind === 'threshold' ? 'stop-tracing' : 'exception';
      stopResult = collectNow(end); // the accumulators as they were at the hit
      if (info.kind === 'threshold' && plan.onThreshold.length > 0) {
        actionsDone = runActions(lab, plan.onThreshold, io, recorded).then(async (cont) => {
          continued = cont;
          if (!cont || finished) return endRun(end);
          handling = false;
          await lab.tracefs.write('tracing_on', '1'); // tracer.restart: the buffer goes on, the workload never stopped
        }).catch((e: unknown) => {
          actionError = e; // reported once the run has ended (exit 1)
          endRun(end);
        });
        return;
      }
      endRun(end);
    });
    if (!sig.fired) await start();
    startedNs = lab.now();
    if (plan.durationS !== null) timers.push(setTimeout(() => endRun('duration'), plan.durationS * 1000));
    void sig.first.then(() => endRun('sigint'));
    if (sig.fired) endRun('sigint');
    if (io.tty && !plan.quiet && !plan.aaOnly && plan.json !== '-') {
      timers.push(setInterval(() => {
        if (plan.tool === 'top') io.out(renderTimerlatTop(collectNow('duration'), { clear: true, pretty: io.color, extras: false }));
        else if (plan.durationS !== null) io.err(`\r# timerlat hist: ${Math.floor((lab.now() - startedNs) / 1e9)}/${plan.durationS} s`);
      }, 1000));
    }
    const end = await ended;
    finished = true; // no restart and no new round of actions from here on
    await actionsDone;
    if (actionError !== null) throw actionError;
    for (const t of timers.splice(0)) clearTimeout(t);
    if (io.tty && plan.tool === 'hist') io.err('\r\x1b[K');
    const hit = stopInfo !== null && !continued;
    if (!hit) await lab.tracefs.write('tracing_on', '0'); // freeze the trace buffer for -t / --on-end trace
    const result = hit && stopResult !== null ? stopResult : collectNow(end);
    const text = plan.json === '-' ? io.err : io.out;
    if (!plan.aaOnly) {
      const body = plan.tool === 'top'
        ? renderTimerlatTop(result, { clear: io.tty && !plan.quiet && plan.json !== '-', pretty: io.color && plan.json !== '-' })
        : renderTimerlatHist(result, { noIrq: plan.noIrq, noThread: plan.noThread, noHeader: plan.noHeader, noSummary: plan.noSummary, noIndex: plan.noIndex, withZeros: plan.withZeros });
      text(body);
    }
    if (hit && stopInfo !== null) {
      text('rtla timerlat hit stop tracing\n');
      if (!plan.noAa) text(renderAutoAnalysis(stopInfo, result.noise));
      if (plan.dumpTasks) text(renderDumpTasks(cpuTasks(lab, plan, tasks)));
      if (plan.traceFile !== null) await saveTrace(lab, plan.traceFile, text, recorded);
    } else if (plan.aaOnly) {
      text(`# no latency crossed ${plan.threadUs} us in ${result.elapsedS.toFixed(1)} s\n`);
    }
    await runActions(lab, plan.onEnd, { ...io, out: text });
    if (plan.json !== null) {
      if (plan.json === '-') io.out(renderTimerlatJson(result));
      else writeFileSync(plan.json, renderTimerlatJson(result));
    }
    if (plan.html !== null) writeFileSync(plan.html, renderTimerlatHtml(result));
    return { code: hit ? 2 : 0, result };
  } finally {
    for (const t of timers) clearTimeout(t);
    sig.dispose();
    try {
      await lab.tracefs.write('current_tracer', 'nop');
      await lab.tracefs.write('tracing_on', '0'); // buffer_size_kb is restored before tracing_on (EBUSY while on)
    } catch {
      /* the lab may already be down */
    }
    await knobs.restore().catch(() => []);
    await lab.shutdown();
  }
}

// SIGINT: the first ends the run (results are drained and printed), the second aborts with exit 1.
function sigintLatch(io: RunIo): { first: Promise<void>; readonly fired: boolean; dispose(): void } {
  let fired = false;
  let resolveFirst: () => void = () => undefined;
  const first = new Promise<void>((r) => (resolveFirst = r));
  const onSigint = (): void => {
    if (fired) {
      io.err('tracelab: second SIGINT, aborting without results\n');
      process.exit(1);
    }
    fired = true;
    resolveFirst();
  };
  process.on('SIGINT', onSigint);
  return {
    first,
    get fired() {
      return fired;
    },
    dispose: () => process.off('SIGINT', onSigint),
  };
}

function sleep(ms: number, timers: NodeJS.Timeout[]): Promise<void> {
  return new Promise((r) => timers.push(setTimeout(r, ms)));
}

// -u: tracelab's timerlat_fd loop, one per CPU; -U MODULE: the user's module, pinned, given { cpu }.
async function spawnLoads(lab: Lab, plan: TimerlatPlan, io: RunIo): Promise<Task[]> {
  if (plan.workload === 'kernel') return [];
  const module = plan.workload === 'user' ? selftestProgram('timerlat-fd') : pathToFileURL(resolve(plan.userLoad!));
  const tasks = await Promise.all(plan.cpus.map((cpu) => lab.spawn(module, { affinity: [cpu], arg: { cpu, loops: 0 }, comm: plan.workload === 'user' ? `timerlatu/${cpu}` : `user-load/${cpu}` })));
  for (const t of tasks) {
    void t.exited.then((st) => {
      if ('code' in st && st.code !== 0) io.err(`tracelab: user load ${t.comm} (pid ${t.pid}) exited with code ${st.code}${t.error === undefined ? '' : `: ${t.error.split('\n')[0]}`}\n`);
    });
  }
  return tasks;
}

// The timerlat thread of each CPU: the kernel thread timerlat/N (its pid as in the trace lines) or the user task.
function cpuTasks(lab: Lab, plan: TimerlatPlan, tasks: readonly Task[]): { cpu: number; comm: string; pid: number }[] {
  return plan.cpus.map((cpu, i) => {
    const t = plan.workload === 'kernel' ? undefined : tasks[i];
    return t === undefined ? { cpu, comm: `timerlat/${cpu}`, pid: lab.timerlat.kthreadPid(cpu) } : { cpu, comm: t.comm, pid: t.pid };
  });
}

async function saveTrace(lab: Lab, file: string, text: (s: string) => void, recorded: { cpu: number; lines: string[] } | null = null): Promise<void> {
  text(`  Saving trace to ${file}\n`);
  const rest = await lab.tracefs.read('trace');
  if (recorded === null) return writeFileSync(file, rest);
  // An ftrace file first: the `# tracer:` header block, then the stopped CPU's buffer as the flight
  // recorder swapped it out, then what the other CPUs' buffers hold.
  const lines = rest.split('\n');
  const body = lines.findIndex((l) => !l.startsWith('#'));
  const header = body < 0 ? lines : lines.slice(0, body);
  const others = body < 0 ? [] : lines.slice(body);
  const recorder = `# flight recorder: cpu${recorded.cpu} at the stop (swapCpu), ${recorded.lines.length} events`;
  writeFileSync(file, [...header, recorder, ...recorded.lines, "# the other CPUs' buffers after the stop:", ...others].join('\n'));
}

// Returns true when `continue` was among the actions.
async function runActions(lab: Lab, actions: readonly TimerlatAction[], io: RunIo, recorded: { cpu: number; lines: string[] } | null = null): Promise<boolean> {
  let cont = false;
  for (const a of actions) {
    if (a.kind === 'trace') await saveTrace(lab, a.file, io.out, recorded);
    else if (a.kind === 'shell') {
      const r = spawnSync('/bin/sh', ['-c', a.command], { encoding: 'utf8', timeout: 60_000 });
      io.out(`${r.stdout ?? ''}`);
      if (r.status !== 0) io.err(`tracelab: action shell,command=${a.command} exited with ${r.status ?? r.signal}\n${r.stderr ?? ''}`);
    } else cont = true;
  }
  return cont;
}

function noiseInfo(plan: TimerlatPlan): NoiseInfo[] {
  return plan.noise.map((n) => ({ spec: formatNoiseSpec(n), name: n.name ?? `${n.kind}-noise`, kind: n.kind, durationUs: n.durationUs, periodUs: n.periodUs, cpus: plan.noiseMask }));
}

/** Read the accumulators and ring stats into one result (collection; no printing). */
export function collect(lab: Lab, plan: TimerlatPlan, end: RunEnd, startedAt: Date, elapsedS: number, stop: StopInfo | null): TimerlatResult {
  const snap = lab.timerlat.snapshot();
  const cpus: CpuResult[] = plan.cpus.map((cpu) => {
    const s = snap[cpu]!;
    const ctx = (k: 'irq' | 'thread' | 'user'): ContextResult => {
      const raw = lab.timerlat.histogram(cpu, CTX_FILE[k]); // one read: summary, histogram and sum describe the same samples
      return { summary: summarizeRecord(raw), hist: Array.from(raw.hist), sumNs: raw.sumNs };
    };
    return { cpu, irq: ctx('irq'), thread: ctx('thread'), user: ctx('user'), skipped: s.skipped, noWaiter: s.noWaiter };
  });
  const noise = noiseInfo(plan);
  const stopCpu = stop?.cpu;
  return {
    config: {
      tool: plan.tool, cpus: plan.cpus, simCpus: plan.simCpus, periodUs: plan.periodUs, durationS: plan.durationS,
      irqUs: plan.irqUs, threadUs: plan.threadUs, stackUs: plan.stackUs, workload: plan.workload, userLoad: plan.userLoad,
      nano: plan.nano, warmUpS: plan.warmUpS, bucketSize: plan.bucketSize, entries: plan.entries, logBuckets: plan.logBuckets,
      noise, noiseMask: plan.noiseMask, isolate: plan.isolate, seed: plan.seed, traceBufferKb: plan.traceBufferKb,
    },
    machine: { node: process.version, cores: availableParallelism(), kernel: `${osType()} ${release()}`, platform: platform(), arch: arch(), seed: plan.seed, timerSlackNs: lab.timerSlack.ns },
    startedAt: startedAt.toISOString(),
    elapsedS: Math.max(0, elapsedS),
    end,
    userData: plan.workload !== 'kernel',
    cpus,
    layout: lab.timerlat.histogramLayout(),
    loss: Array.from({ length: lab.cpus }, (_, cpu) => {
      const st = lab.ring.stats(cpu);
      return { cpu, overrun: st.overrun, dropped: st.droppedEvents, commitOverrun: st.commitOverrun };
    }),
    stop,
    noise: stopCpu === undefined ? [] : noise.filter((n) => n.cpus.includes(stopCpu)),
  };
}
