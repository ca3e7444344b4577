#!/usr/bin/env node
// The tracelab command line: parse with commander, run a subcommand against a Lab, report.
// Exit codes as rtla: 0 ran, 1 error, 2 "stop tracing" was hit. Errors print one line, no stack.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { KernelError } from '../errno.js';
import { registerSelftest } from './commands/selftest.js';
import { registerStart } from './commands/start.js';
import { registerRecord } from './commands/record.js';
import { registerReport } from './commands/report.js';
import { registerStress } from './commands/stress.js';
import { registerTimerlat } from './commands/timerlat.js';
import { addStressTimerlat } from './commands/stress-timerlat.js';
import { addStressUintr } from './commands/stress-uintr.js';
import { registerIpc } from './commands/ipc.js';

function version(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      /* try the next layout (dist/src/cli or src/cli) */
    }
  }
  return 'unknown';
}

/** Build the program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('tracelab')
    .description('Linux tracing and low-latency machinery (timerlat, trace ring buffers, user interrupts, perf sigtrap) on real Node.js worker threads')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    // Usage errors print as every other bad input does (main() below); subcommands inherit this.
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  registerStart(program);
  registerSelftest(program);
  registerRecord(program);
  registerReport(program);
  const stress = registerStress(program);
  addStressTimerlat(stress);
  addStressUintr(stress);
  registerIpc(program);
  registerTimerlat(program);
  return program;
}

// commander's usage errors in tracelab's form: `tracelab: option EINVAL: unknown option '--bogus'`
// (`command EINVAL` for commands and arguments), with its "(Did you mean …?)" line kept. Null for
// help and version, which are no errors.
function usageError(e: CommanderError): string | null {
  if (e.exitCode === 0 || e.code === 'commander.help' || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return null;
  const what = /option/i.test(e.code) || e.code === 'commander.invalidArgument' ? 'option' : 'command';
  return `tracelab: ${what} EINVAL: ${e.message.replace(/^error: /, '')}`;
}

/**
 * rtla timerlat's rule (timerlat.c, timerlat_main): with no argument, or when the first one is an
 * option other than -h/--help, the user skipped the tool and gets `top`. Any other word must be
 * top or hist (an unknown one stays an unknown command).
 */
export function defaultTimerlatTool(argv: readonly string[]): string[] {
  const i = argv.indexOf('timerlat', 2);
  if (i !== 2) return [...argv];
  const next = argv[3];
  const skipped = next === undefined || (next.startsWith('-') && next !== '-h' && next !== '--help');
  return skipped ? [...argv.slice(0, 3), 'top', ...argv.slice(3)] : [...argv];
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(defaultTimerlatTool(argv));
  } catch (e) {
    if (e instanceof CommanderError) {
      const usage = usageError(e);
      if (usage !== null) process.stderr.write(`${usage}\n`);
      process.exitCode = e.exitCode === 0 ? 0 : 1; // --help / --version exit 0; usage errors 1
      return;
    }
    if (e instanceof KernelError || (e instanceof Error && 'code' in e)) {
      process.stderr.write(`tracelab: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`tracelab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}

// `tracelab report FILE | head`: a reader that goes away ends the output quietly, as coreutils do
// (exit 0 here, since the data that was asked for was written), instead of an unhandled EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

await main(process.argv);
