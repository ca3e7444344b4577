// `tracelab stress timerlat`: timerlat_fd holder lives (open/read/close, SIGKILL, migration, EBUSY
// contenders, tracer changes) on every simulated CPU at once; prints KTAP, one result per invariant,
// and exits 0 only when all held. Control plane; the work is src/selftest/timerlat-stress.ts.
import type { Command } from 'commander';
import { createKtapWriter } from '../../report/ktap.js';
import { reportTimerlatStress, runTimerlatStress } from '../../selftest/timerlat-stress.js';
import { parseUnsigned } from '../../tracefs/parse.js';
import { parseDurationS, parseTimeUs } from '../units.js';

/** Add `timerlat` to the `stress` command (the Command that registerStress returns). */
export function addStressTimerlat(stress: Command): void {
  stress
    .command('timerlat')
    .description('timerlat_fd holders opened, read, closed, killed and migrated on every CPU; checks no leaked holder, no stuck timer, consistent counts')
    .option('--cpus <n>', 'simulated CPUs, one holder lane each, 2..64 (default 3)')
    .option('--duration <time>', 'how long to cycle holders: 5, 5s, 1m (default 3s)')
    .option('--epochs <n>', 'epochs, each ended by a tracer change that SIGKILLs all holders (default: one per second)')
    .option('--period <us>', 'timerlat period, 100..1000000 us; units allowed: 200us, 1ms (default 200)')
    .option('--seed <x>', 'PRNG seed, printed for replay (default 1)')
    .action(async (o: { cpus?: string; duration?: string; epochs?: string; period?: string; seed?: string }) => {
      const site = (path: string): { syscall: string; path: string } => ({ syscall: 'option', path });
      const cpus = parseUnsigned(o.cpus ?? '3', { min: 2, max: 64 }, site('--cpus'));
      const durationS = parseDurationS(o.duration ?? '3', '--duration', { min: 1, max: 3600 });
      const epochs = o.epochs === undefined ? undefined : parseUnsigned(o.epochs, { min: 1, max: 1000 }, site('--epochs'));
      const periodUs = parseTimeUs(o.period ?? '200', '--period', 100, 1_000_000);
      const seed = parseUnsigned(o.seed ?? '1', { max: 0xffffffff }, site('--seed'));
      const opts = { cpus, durationMs: durationS * 1000, periodUs, seed, ...(epochs === undefined ? {} : { epochs }) };
      const r = await runTimerlatStress(opts);
      const ktap = createKtapWriter((line) => process.stdout.write(`${line}\n`), 1);
      const sub = ktap.subtest('timerlat', r.checks.length);
      reportTimerlatStress(sub, opts, r);
      sub.end();
      const totals = ktap.finish();
      process.exitCode = totals.fail + totals.error === 0 ? 0 : 1;
    });
}
