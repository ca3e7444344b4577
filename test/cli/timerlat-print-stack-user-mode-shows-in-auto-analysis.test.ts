// `tracelab timerlat top -u -T US -s US` end to end: the built binary, under a timeout. User-space
// mode (timerlat_fd loops, one task per CPU); an IRQ-context noise source delays the timer IRQ and
// so the holder's wake-up past -T; the holder's thread sample dumps the stack the IRQ saved
// (trace_osnoise.c: timerlat_fd_read) and the auto-analysis shows it, naming the noise handler.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = process.env['TRACELAB_BIN'] ?? fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const shown = (out: string): string => out.split('\n').map((l) => `# ${l}`).join('\n');
const FRAMES = ['timerlat_irq', '__hrtimer_run_queues', 'hrtimer_interrupt', 'noise_irq [check-irq 30000 us]', 'cpu_actor_loop'];

describe('tracelab timerlat -u -s', () => {
  it('-u -T 10000 -s 10000 with 30 ms irq noise: exit 2, the auto-analysis and the trace show the holder-dumped stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelab-ustack-'));
    try {
      const file = join(dir, 'trace.txt');
      const args = ['timerlat', 'top', '-q', '-d', '20s', '--sim-cpus', '1', '-u', '-p', '10000', '--noise', 'irq:30ms/40333us:name=check-irq', '-T', '10000', '-s', '10000', '--on-threshold', `trace,file=${file}`];
      // The noise may instead start while the holder is in user space: its next read() is served
      // late and the user-ret sample stops tracing, which dumps nothing (as upstream). Up to 3 runs
      // (each a fresh phase between the noise and the timer grid).
      let out = '';
      for (let run = 0; run < 3; run++) {
        const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 40_000, env: { ...process.env, NO_COLOR: '1' } });
        out = `${r.stdout}${r.stderr}`;
        expect(r.status, shown(out)).toBe(2);
        if (out.includes('  thread sample of ')) break;
      }
      expect(out, shown(out)).toMatch(/ {2}thread sample of [\d.]+ us crossed the 10000 us threshold\n/);
      expect(out, shown(out)).toContain(`    Blocking thread stack trace\n${FRAMES.map((f) => `\t\t-> ${f}\n`).join('')}`);
      const trace = readFileSync(file, 'utf8');
      const stack = `: <stack trace>\n${FRAMES.map((f) => ` => ${f.replace(/[[\]]/g, '\\$&')}\n`).join('')}`;
      expect(trace, shown(trace.slice(-2000))).toMatch(new RegExp(`timerlatu/0-(\\d+) +\\[000\\] .*context thread timer_latency +\\d+ ns\\n +timerlatu/0-\\1 +\\[000\\] +\\d+\\.\\d{6}${stack}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
