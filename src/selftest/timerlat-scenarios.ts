// Self-test scenarios of the timerlat tracer (trace_osnoise.c; the kernel's timerlat_fd selftest and
// Documentation/trace/timerlat-tracer.rst), for `tracelab selftest`: the seed's user-space example,
// open() errors in the kernel's order, migration, SIGKILL on tracer change, both stop thresholds,
// noise isolation and skipped periods, plus a short stress. Control plane; each runs on a fresh lab,
// every wait is bounded, and no scenario judges a latency value (the host is shared).
import { threadLagCounts } from './timerlat-trace.js';
import type { Lab } from '../lab/lab.js';
import type { StopInfo } from '../lab/timerlat.js';
import type { ExitStatus } from '../lab/tasks.js';
import { program, type Scenario, type Suite } from './runner.js';
import { timerlatStressScenario } from './timerlat-stress.js';
import { bounded } from './bounded.js';

/** Exit codes of programs/timerlat-open.ts. */
const OPEN = { ok: 0, EINVAL: 10, EBUSY: 11, EPERM: 12, ENOENT: 13 } as const;
const BOUND_MS = 2500;

/** Resolve once `cond()` holds, re-checking every 5 ms; reject after `ms` (a bound, not a speed claim). */
async function until(cond: () => boolean, what: string, ms = BOUND_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const within = <T>(p: Promise<T>, what: string, ms = BOUND_MS): Promise<T> => bounded(p, ms, what);

async function userMode(lab: Lab): Promise<void> {
  await lab.tracefs.write('osnoise/options', 'NO_OSNOISE_WORKLOAD');
  await lab.tracefs.write('current_tracer', 'timerlat');
}

async function openCode(lab: Lab, arg: { cpu: number; pin?: number[] }, affinity?: number[]): Promise<ExitStatus> {
  const t = await lab.spawn(program('timerlat-open'), { arg, ...(affinity === undefined ? {} : { affinity }) });
  return within(t.exited, `open probe ${JSON.stringify(arg)}`);
}

const code = (st: ExitStatus): string => ('code' in st ? `exit ${st.code}` : `signal ${st.signal}`);
const is = (st: ExitStatus, c: number): boolean => 'code' in st && st.code === c;

/** Lines `#N context C timer_latency X ns` of the trace file, as [seq, context]. */
function traceSamples(text: string): Array<[number, string]> {
  return [...text.matchAll(/timerlat_sample: #(\d+)\s+context\s+(irq|thread|user-ret) timer_latency\s+\d+ ns/g)].map((m) => [Number(m[1]), m[2]!]);
}

const scenarios: Scenario[] = [
  {
    name: 'seed_example_user_mode',
    lab: { cpus: 2 },
    async run({ lab, check, log }) {
      await userMode(lab);
      const LOOPS = 50;
      const t = await lab.spawn(program('timerlat-fd'), { arg: { cpu: 1, loops: LOOPS } });
      const st = await within(t.exited, 'seed example loop');
      check(is(st, 0), `seed example: ${code(st)} ${t.error ?? ''}`);
      const s = lab.timerlat.snapshot()[1]!;
      check(s.irq.count === LOOPS && s.thread.count === LOOPS && s.user.count === LOOPS - 1, `cpu1 counts irq ${s.irq.count}, thread ${s.thread.count}, user-ret ${s.user.count}; want ${LOOPS}/${LOOPS}/${LOOPS - 1}`);
      check(lab.timerlat.snapshot()[0]!.irq.count === 0, 'cpu0 has no holder and no samples');
      const lines = traceSamples(await lab.tracefs.read('trace'));
      for (const ctx of ['irq', 'thread', 'user-ret']) {
        const seqs = lines.filter(([, c]) => c === ctx).map(([n]) => n);
        const want = Array.from({ length: ctx === 'user-ret' ? LOOPS - 1 : LOOPS }, (_, i) => i + 1);
        check(JSON.stringify(seqs) === JSON.stringify(want), `${ctx} lines carry #1..#${want.length} in order (got ${seqs.slice(0, 5).join(',')}…)`);
      }
      log(`irq p50 ${(s.irq.p50Ns! / 1e3).toFixed(0)} us, thread p50 ${(s.thread.p50Ns! / 1e3).toFixed(0)} us, user-ret p50 ${(s.user.p50Ns! / 1e3).toFixed(0)} us`);
    },
  },
  {
    name: 'open_errors_in_kernel_order',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      let st = await openCode(lab, { cpu: 0, pin: [0] });
      check(is(st, OPEN.EINVAL), `tracer nop → EINVAL (${code(st)})`);
      await lab.tracefs.write('current_tracer', 'timerlat');
      st = await openCode(lab, { cpu: 0, pin: [0] });
      check(is(st, OPEN.EINVAL), `OSNOISE_WORKLOAD set → EINVAL (${code(st)})`);
      await lab.tracefs.write('current_tracer', 'nop');
      await userMode(lab);
      st = await openCode(lab, { cpu: 0 }, [0, 1]);
      check(is(st, OPEN.EPERM), `affinity of two CPUs → EPERM (${code(st)})`);
      st = await openCode(lab, { cpu: 1, pin: [0] });
      check(is(st, OPEN.EPERM), `pinned to another CPU → EPERM (${code(st)})`);
      const holder = await lab.spawn(program('timerlat-open'), { arg: { cpu: 0, pin: [0], hold: true } });
      await until(() => lab.timerlat.snapshot()[0]!.irq.count > 2, 'holder on cpu0 takes samples');
      st = await openCode(lab, { cpu: 1 }, [0]);
      check(is(st, OPEN.EBUSY), `running on held cpu0, opening cpu1 unpinned → EBUSY before EPERM (${code(st)})`);
      st = await openCode(lab, { cpu: 0, pin: [0] });
      check(is(st, OPEN.EBUSY), `second holder of cpu0 → EBUSY (${code(st)})`);
      st = await openCode(lab, { cpu: 7, pin: [0] });
      check(is(st, OPEN.ENOENT), `cpu7 of a 2-CPU lab → ENOENT (${code(st)})`);
      await lab.kill(holder.pid, 'SIGKILL');
      await within(holder.exited, 'holder killed');
      st = await openCode(lab, { cpu: 0, pin: [0] });
      check(is(st, OPEN.ok), `cpu0 opens again after its holder died (${code(st)})`);
    },
  },
  {
    name: 'migration_einval_stop_task_alive',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      await userMode(lab);
      const stops: StopInfo[] = [];
      lab.timerlat.on('stop', (s) => stops.push(s));
      const t = await lab.spawn(program('timerlat-fd'), { arg: { cpu: 0, loops: 50, migrateTo: 1, migrateAfter: 5 } });
      const st = await within(t.exited, 'migrating holder');
      check(is(st, 3), `the holder's read after migrating fails with EINVAL and it exits by itself (${code(st)}, not SIGKILL)`);
      check(stops.some((s) => s.kind === 'exception' && s.cpu === 0 && /migrat/.test(s.taint)), `stop exception with the migrate taint on cpu0: ${JSON.stringify(stops)}`);
      check((await lab.tracefs.read('tracing_on')) === '0\n', 'tracing_on is 0');
      check(lab.timerlat.state === 'stopped', `tracer state stopped (got ${lab.timerlat.state})`);
    },
  },
  {
    name: 'tracer_change_sigkills_holder',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      await userMode(lab);
      const t = await lab.spawn(program('timerlat-fd'), { arg: { cpu: 1, loops: 0 } });
      await until(() => lab.timerlat.snapshot()[1]!.thread.count > 3, 'holder on cpu1 takes samples');
      await lab.tracefs.write('current_tracer', 'nop');
      const st = await within(t.exited, 'holder after tracer change');
      check('signal' in st && st.signal === 'SIGKILL', `holder ended by SIGKILL (${code(st)})`);
      await until(() => lab.workers.task === 0, 'the holder worker is gone');
      check(lab.ps().length === 0, 'no live task');
    },
  },
  ...(['irq', 'thread'] as const).map(
    (ctx): Scenario => ({
      name: `stop_tracing_${ctx === 'irq' ? 'us' : 'total_us'}_keeps_timers`,
      lab: { cpus: 2 },
      async run({ lab, check, log }) {
        await lab.tracefs.write(ctx === 'irq' ? 'osnoise/stop_tracing_us' : 'osnoise/stop_tracing_total_us', '1'); // any real latency is ≥ 1 µs
        const stopped = new Promise<StopInfo>((r) => lab.timerlat.once('stop', r));
        await lab.tracefs.write('current_tracer', 'timerlat');
        const stop = await within(stopped, 'stop tracing hit');
        check(stop.kind === 'threshold' && stop.context === ctx && stop.thresholdUs === 1 && stop.latencyNs >= 1000, `stop on a ${ctx} sample ≥ 1 us: ${JSON.stringify(stop)}`);
        check((await lab.tracefs.read('tracing_on')) === '0\n', 'the buffer is off');
        await until(() => lab.timerlat.state === 'stopped', 'tracer state stopped');
        const maxUs = Number(await lab.tracefs.read('tracing_max_latency'));
        // The kernel raises tracing_max_latency from the thread (and user-ret) context only.
        if (ctx === 'thread') check(maxUs >= 1, `tracing_max_latency ${maxUs} ≥ 1 us`);
        const before = lab.timerlat.snapshot()[0]!;
        await until(() => lab.timerlat.snapshot()[0]!.activation > before.activation + 5, 'timers keep cycling after the stop');
        const entries = (await lab.tracefs.read('trace')).split('\n').filter((l) => l.includes('timerlat_sample')).length;
        await until(() => lab.timerlat.snapshot()[0]!.activation > before.activation + 10, 'more periods');
        const later = (await lab.tracefs.read('trace')).split('\n').filter((l) => l.includes('timerlat_sample')).length;
        check(later === entries, `nothing recorded while stopped (${entries} then ${later} lines)`);
        const counted = lab.timerlat.snapshot()[0]!.irq.count;
        check(counted === before.irq.count, `nothing counted while stopped (irq count ${before.irq.count} then ${counted})`);
        log(`stopped by ${ctx} ${(stop.kind === 'threshold' ? stop.latencyNs / 1e3 : 0).toFixed(1)} us; tracing_max_latency ${maxUs} us`);
      },
    }),
  ),
  {
    name: 'noise_masked_cpu_vs_isolated',
    lab: { cpus: 2 },
    timeoutS: 20,
    async run({ lab, check, log }) {
      await lab.tracefs.write('osnoise/noise_mask', '1');
      await lab.tracefs.write('osnoise/noise', 'thread:500us/2ms:random');
      await lab.tracefs.write('current_tracer', 'timerlat');
      await until(() => lab.timerlat.snapshot()[1]!.thread.count > 1500, 'cpu1 takes 1500 thread samples', 10_000);
      const [, c1] = lab.timerlat.snapshot();
      // Judge by how often the thread is late behind its own IRQ (≥ 200 µs), not by max latency:
      // the shared host delays whole workers (IRQ and thread alike), while thread noise delays only
      // the timerlat thread. Pairs come from the trace: same CPU, same seqnum.
      const behind = threadLagCounts(await lab.tracefs.read('trace'), 2, 200_000);
      log(`thread ≥ 200 us behind its IRQ: cpu1 (noise) ${behind[1]}, cpu0 (isolated) ${behind[0]}; cpu1 max thread ${(c1!.thread.maxNs! / 1e3).toFixed(0)} us`);
      check(c1!.thread.maxNs! > 500_000, `cpu1 max thread latency ${(c1!.thread.maxNs! / 1e3).toFixed(0)} us > 500 us`);
      check(behind[1]! >= 20 && behind[1]! > 3 * behind[0]!, `the noisy CPU's thread lags its IRQ more than 3× as often (${behind[1]} vs ${behind[0]})`);
    },
  },
  {
    name: 'skipped_periods_counted',
    lab: { cpus: 1 },
    async run({ lab, check, log }) {
      await lab.tracefs.write('osnoise/timerlat_period_us', '200');
      await lab.tracefs.write('current_tracer', 'timerlat');
      await until(() => lab.timerlat.snapshot()[0]!.thread.count > 10, 'cpu0 cycles');
      const before = lab.timerlat.snapshot()[0]!.skipped;
      await lab.busy(0, 5000); // a 5 ms non-preemptible section: about 25 periods go by
      await until(() => lab.timerlat.snapshot()[0]!.skipped >= before + 20, 'skipped periods counted');
      log(`skipped ${lab.timerlat.snapshot()[0]!.skipped - before} periods over a 5 ms section at 200 us`);
      check(true, '');
    },
  },
  timerlatStressScenario,
];

/** The `timerlat` suite of `tracelab selftest`. */
export const timerlatSuite: Suite = { name: 'timerlat', scenarios };
