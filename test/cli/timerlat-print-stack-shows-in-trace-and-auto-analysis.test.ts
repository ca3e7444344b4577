// `tracelab timerlat top -s US` end to end (rtla's -s/--stack): the built binary, under a timeout.
// An IRQ-context noise source delays the timer IRQ past -i; since -i <= -s, the IRQ dumps the stack
// it saved (trace_osnoise.c: timerlat_irq), and the --on-threshold trace and the auto-analysis
// (rtla timerlat_aa.c: "Blocking thread stack trace") both show it naming the noise handler.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const shown = (out: string): string => out.split('\n').map((l) => `# ${l}`).join('\n');

describe('tracelab timerlat -s', () => {
  // A host stall of more than 10 ms while the CPU idles also crosses -i (this VM has them): that stop
  // correctly shows the idle stack, so such a run is retried, up to 3 runs in all.
  it('-i 10000 -s 10000 with 30 ms irq noise: exit 2, the trace and the auto-analysis show the saved stack', () => {
    const frames = ['timerlat_irq', '__hrtimer_run_queues', 'hrtimer_interrupt', 'noise_irq [check-irq 30000 us]', 'cpu_actor_loop'];
    const seen: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'tracelab-stack-'));
      try {
        const file = join(dir, 'trace.txt');
        const args = ['timerlat', 'top', '-q', '-d', '20s', '--sim-cpus', '1', '--noise', 'irq:30ms/40ms:name=check-irq', '-i', '10000', '-s', '10000', '--on-threshold', `trace,file=${file}`];
        const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 40_000, env: { ...process.env, NO_COLOR: '1' } });
        const out = `${r.stdout}${r.stderr}`;
        expect(r.status, shown(out)).toBe(2);
        expect(out, shown(out)).toMatch(/ {4}Blocking thread stack trace\n\t\t-> timerlat_irq\n\t\t-> __hrtimer_run_queues\n\t\t-> hrtimer_interrupt\n/);
        if (!out.includes('noise_irq [check-irq')) {
          seen.push(out);
          continue; // a host stall while idle: the stack names default_idle_call
        }
        expect(out, shown(out)).toContain(`  Blocking thread:\n\t               swapper/0:0        \n    Blocking thread stack trace\n${frames.map((f) => `\t\t-> ${f}\n`).join('')}`);
        const trace = readFileSync(file, 'utf8');
        expect(trace, shown(trace.slice(-2000))).toMatch(new RegExp(`context +irq timer_latency +\\d+ ns\\n +<idle>-0 +\\[000\\] +\\d+\\.\\d{6}: <stack trace>\\n${frames.map((f) => ` => ${f.replace(/[[\]]/g, '\\$&')}\\n`).join('')}`));
        return;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect.fail(`3 runs stopped on host stalls, never on the noise:\n${shown(seen.join('\n----\n'))}`);
  }, 130_000);
});
