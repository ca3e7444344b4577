// `tracelab ipc bench [--iterations N] [--json]`: IPC round trips (senduipi running/blocked, raw
// Atomics spin and wait/notify, MessagePort, unix socket, FIFO, SIGUSR2) in one run, beside the seed's table.
import os from 'node:os';
import type { Command } from 'commander';
import { formatIpcBench, runIpcBench } from '../../selftest/ipc-bench.js';
import { parseUnsigned } from '../../tracefs/parse.js';

function envLine(): string {
  const cpus = os.cpus();
  return `# env: node ${process.version}, ${os.platform()} ${os.release()}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), load ${os.loadavg()[0]!.toFixed(2)}`;
}

/** Register `ipc` with its `bench` subcommand. */
export function registerIpc(program: Command): Command {
  const ipc = program.command('ipc').description('inter-process/thread communication measurements');
  ipc
    .command('bench')
    .description('ping-pong round trips: senduipi (running / in uintr_wait), raw Atomics spin and wait/notify, MessagePort, unix socket, pipe, SIGUSR2; normalised to senduipi beside the seed\'s table')
    .option('--iterations <n>', 'round trips of the fastest paths; slower ones run a share (default 20000)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { iterations?: string; json?: boolean }) => {
      const iterations = parseUnsigned(o.iterations ?? '20000', { min: 100, max: 10_000_000 }, { syscall: 'option', path: '--iterations' });
      const r = await runIpcBench(iterations, envLine());
      process.stdout.write(o.json === true ? `${JSON.stringify(r, null, 2)}\n` : `${formatIpcBench(r).join('\n')}\n`);
      process.exitCode = r.results.length > 0 ? 0 : 1;
    });
  return ipc;
}
