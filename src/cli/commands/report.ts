// `tracelab report FILE` (trace-cmd report): decode a tracelab trace file and print ftrace text.
// Control plane (pure presentation of the file). A corrupt file is a typed error naming the offset,
// printed as one line with exit code 1 by main.ts.
import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { formatTraceFile, readTraceFile } from '../../lab/tracing.js';

/** Register the report command. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('print a tracelab trace file (from `tracelab record`) as ftrace text')
    .argument('<file>', 'trace file')
    .action(async (file: string) => {
      const lines = await formatTraceFile(readTraceFile(createReadStream(file)));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
