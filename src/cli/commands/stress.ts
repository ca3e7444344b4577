// `tracelab stress <mechanism>`: hammer a shared-memory mechanism with real worker threads and
// print KTAP (exit 0 only when every invariant held). `ring` lives here; other mechanisms add a
// subcommand to the Command that registerStress returns (e.g. `registerStressUintr(stress)`).
import type { Command } from 'commander';
import { createKtapWriter } from '../../report/ktap.js';
import { reportRingStress, runRingStress } from '../../selftest/ring-stress.js';
import { parseUnsigned } from '../../tracefs/parse.js';
import { parseDurationS } from '../units.js';
import { kerr } from '../../errno.js';

/** Register `stress` with its `ring` subcommand; returns the `stress` command for more subcommands. */
export function registerStress(program: Command): Command {
  const stress = program.command('stress').description('stress a shared-memory mechanism with real worker threads; prints KTAP');
  addStressRing(stress);
  return stress;
}

/** `tracelab stress ring [--cpus N --writers M --duration S --seed X --mode overwrite|discard]`. */
export function addStressRing(stress: Command): void {
  stress
    .command('ring')
    .description('per-CPU trace ring: CPU-actor + migrating task writers (a quarter of their commits from another thread) vs a slow reader; checks written == read + losses, no torn events, in-order sequences')
    .option('--cpus <n>', 'CPU buffers, each with a CPU-actor writer (default 2)')
    .option('--writers <m>', 'migrating task writers per CPU (default 2)')
    .option('--duration <time>', 'how long to write: 5, 5s, 1m (default 2s)')
    .option('--seed <x>', 'PRNG seed, printed for replay (default 1)')
    .option('--mode <mode>', 'overwrite or discard (default discard)')
    .action(async (o: { cpus?: string; writers?: string; duration?: string; seed?: string; mode?: string }) => {
      const site = (path: string): { syscall: string; path: string } => ({ syscall: 'option', path });
      const cpus = parseUnsigned(o.cpus ?? '2', { min: 1, max: 64 }, site('--cpus'));
      const writers = parseUnsigned(o.writers ?? '2', { min: 0, max: 16 }, site('--writers'));
      const durationS = parseDurationS(o.duration ?? '2', '--duration', { min: 1, max: 3600 });
      const seed = parseUnsigned(o.seed ?? '1', { max: 0xffffffff }, site('--seed'));
      const mode = o.mode ?? 'discard';
      if (mode !== 'overwrite' && mode !== 'discard') throw kerr('EINVAL', 'option', '--mode', `${JSON.stringify(mode)}: use overwrite or discard`);
      const opts = { cpus, writers, durationMs: durationS * 1000, seed, mode } as const;
      const ktap = createKtapWriter((line) => process.stdout.write(`${line}\n`), 1);
      const sub = ktap.subtest('ring', cpus + 4); // per-CPU accounting, in-band losses, torn, order, migrated commits
      const r = await runRingStress(opts);
      reportRingStress(sub, opts, r);
      sub.end();
      const totals = ktap.finish();
      process.exitCode = totals.fail + totals.error === 0 ? 0 : 1;
    });
}
