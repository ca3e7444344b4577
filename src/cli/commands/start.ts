// `tracelab start` (what `npm start` runs): the default latency experiment, a 10 s `timerlat top`.
// `tracelab status`: boot a lab, run a few tasks and IPIs, print the per-CPU status table.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { Lab } from '../../lab/lab.js';
import { program as selftestProgram } from '../../selftest/runner.js';
import { renderCpuTable } from '../../report/status.js';
import { parseUnsigned } from '../../tracefs/parse.js';
import { runDefaultExperiment } from './timerlat.js';
import { parseDurationS } from '../units.js';

/** Register the start and status commands. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('the default experiment: a 10 s `timerlat top` on every simulated CPU, one noise source, one isolated CPU; writes tracelab-report.html')
    .option('--sim-cpus <n>', 'simulated CPUs (default: the number of cores, at least 2)')
    .option('-d, --duration <time>', 'how long to run: 10, 10s, 2m, 1h, 1..86400 s (default 10s)')
    .action(async (opts: { simCpus?: string; duration?: string }) => {
      const cpus = opts.simCpus === undefined ? undefined : parseUnsigned(opts.simCpus, { min: 2, max: 1024 }, { syscall: 'option', path: '--sim-cpus' });
      const durationS = opts.duration === undefined ? undefined : parseDurationS(opts.duration, '-d/--duration', { min: 1, max: 86_400 });
      process.exitCode = await runDefaultExperiment({ ...(cpus === undefined ? {} : { cpus }), ...(durationS === undefined ? {} : { durationS }) });
    });
  program
    .command('status')
    .description('boot a lab, run a few tasks on every CPU, and print the per-CPU status table')
    .option('--sim-cpus <n>', 'simulated CPUs (default: the number of cores, at least 2)')
    .action(async (opts: { simCpus?: string }) => {
      const cpus = opts.simCpus === undefined ? Math.max(2, availableParallelism()) : parseUnsigned(opts.simCpus, { min: 1, max: 1024 }, { syscall: 'option', path: '--sim-cpus' });
      const lab = await Lab.boot({ cpus });
      try {
        const t0 = lab.now();
        const tasks = await Promise.all(Array.from({ length: cpus * 2 }, (_, i) => lab.spawn(selftestProgram('yielder'), { affinity: [i % cpus], arg: { loops: 100, sleepUs: 1000 } })));
        const rtts: number[] = [];
        for (let c = 0; c < cpus; c++) rtts.push(...(await lab.ipiRoundTrip(c, (c + 1) % cpus, 20)));
        const exits = await Promise.all(tasks.map((t) => t.exited));
        const failed = exits.filter((st) => !('code' in st) || st.code !== 0).length;
        for (let c = 0; c < cpus; c++) lab.ipi(c, 'resched'); // every CPU publishes fresh stats
        await new Promise((r) => setTimeout(r, 20));
        rtts.sort((a, b) => a - b);
        console.log(renderCpuTable(lab.cpuStats(), lab.now() - t0));
        console.log(`# ${tasks.length} tasks ran (${failed} failed); CPU→CPU IPI round trip p50 ${(rtts[rtts.length >> 1]! / 1e3).toFixed(1)} us over ${rtts.length}; timer slack ${lab.timerSlack.ns ?? 'unknown'} ns`);
        if (failed > 0) process.exitCode = 1;
      } finally {
        await lab.shutdown();
      }
    });
}
