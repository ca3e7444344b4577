// `tracelab selftest`: run every registered scenario against a fresh lab and print KTAP.
import type { Command } from 'commander';
import { runSuites, suites } from '../../selftest/index.js';
import { parseDurationS } from '../units.js';
import { kerr } from '../../errno.js';

/** Register the selftest command. */
export function registerSelftest(program: Command): void {
  program
    .command('selftest')
    .description('run the built-in self-tests and print KTAP version 1 (exit 0 only if all pass)')
    .option('-f, --filter <text>', 'only tests whose suite/name contains <text>')
    .option('--timeout <time>', 'per-test timeout: 30, 30s, 2m, 1..3600 s (default: each test\'s own, 45 s for most)')
    .action(async (opts: { filter?: string; timeout?: string }) => {
      const timeoutS = opts.timeout === undefined ? undefined : parseDurationS(opts.timeout, '--timeout', { min: 1, max: 3600 });
      const filter = opts.filter;
      if (filter !== undefined && !suites.some((s) => s.scenarios.some((c) => `${s.name}/${c.name}`.includes(filter)))) {
        const names = suites.map((s) => `${s.name}/`).join(', ');
        throw kerr('ENOENT', 'option', '-f/--filter', `no self-test matches ${JSON.stringify(filter)}; tests are named SUITE/NAME, suites: ${names}`);
      }
      const totals = await runSuites(suites, (line) => process.stdout.write(`${line}\n`), {
        ...(opts.filter === undefined ? {} : { filter: opts.filter }),
        ...(timeoutS === undefined ? {} : { timeoutS }),
      });
      process.exitCode = totals.fail + totals.error === 0 ? 0 : 1;
    });
}
