// `tracelab stress uintr`: user interrupts between many real lab tasks (storms, clui/stui masking,
// uintr_wait, receivers SIGKILLed mid-storm); prints KTAP, exit 0 only when every invariant held.
import type { Command } from 'commander';
import { createKtapWriter } from '../../report/ktap.js';
import { UINTR_STRESS_CHECKS, reportUintrStress, runUintrStress } from '../../selftest/uintr-stress.js';
import { parseUnsigned } from '../../tracefs/parse.js';
import { parseDurationS } from '../units.js';

/** Add `uintr` to the `stress` command (see registerStress). */
export function addStressUintr(stress: Command): void {
  stress
    .command('uintr')
    .description('user interrupts: sender tasks storm receiver tasks that poll, uintr_wait and clui/stui, some killed mid-storm; checks delivered-or-coalesced, no re-entry, no lost wake-up')
    .option('--receivers <n>', 'receiver tasks (default 3)')
    .option('--senders <n>', 'sender tasks (default 3)')
    .option('--vectors <n>', 'vectors (fds) per receiver, 1..64 (default 4)')
    .option('--targets <n>', 'fds each sender connects to, at most receivers × vectors (default 6)')
    .option('--kill <n>', 'receivers SIGKILLed halfway, fewer than --receivers (default 1, 0 with one receiver)')
    .option('--duration <time>', 'storm length: 2, 2s, 1m (default 1s)')
    .option('--seed <x>', 'PRNG seed, printed for replay (default 1)')
    .action(async (o: { receivers?: string; senders?: string; vectors?: string; targets?: string; kill?: string; duration?: string; seed?: string }) => {
      const site = (path: string): { syscall: string; path: string } => ({ syscall: 'option', path });
      const receivers = parseUnsigned(o.receivers ?? '3', { min: 1, max: 64 }, site('--receivers'));
      const vectors = parseUnsigned(o.vectors ?? '4', { min: 1, max: 64 }, site('--vectors'));
      // At least one receiver must live to the end, or the delivery checks would hold vacuously; a
      // sender connects to distinct (receiver, vector) fds, of which there are receivers × vectors.
      const opts = {
        receivers,
        senders: parseUnsigned(o.senders ?? '3', { min: 1, max: 64 }, site('--senders')),
        vectors,
        targets: parseUnsigned(o.targets ?? String(Math.min(6, receivers * vectors)), { min: 1, max: Math.min(256, receivers * vectors) }, site('--targets')),
        kill: parseUnsigned(o.kill ?? String(Math.min(1, receivers - 1)), { min: 0, max: receivers - 1 }, site('--kill')),
        durationMs: parseDurationS(o.duration ?? '1', '--duration', { min: 1, max: 3600 }) * 1000,
        seed: parseUnsigned(o.seed ?? '1', { max: 0xffffffff }, site('--seed')),
      };
      const ktap = createKtapWriter((line) => process.stdout.write(`${line}\n`), 1);
      const sub = ktap.subtest('uintr', UINTR_STRESS_CHECKS);
      reportUintrStress(sub, opts, await runUintrStress(opts));
      sub.end();
      const totals = ktap.finish();
      process.exitCode = totals.fail + totals.error === 0 ? 0 : 1;
    });
}
