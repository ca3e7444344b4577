// sigaction(2) without SA_NODEFER: a signal is blocked while its own handler runs, so a second one
// sent from inside the handler waits until the handler returns (no nesting), and the mask from before
// delivery comes back afterwards. Other signals are not blocked and may still nest.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const PROG = `data:text/javascript,${encodeURIComponent(`
export default function main(ctx) {
  let depth = 0, max = 0, runs = 0, usr2Depth = -1;
  const masks = [];
  ctx.sigaction('SIGUSR2', () => { usr2Depth = depth; });
  ctx.sigaction('SIGUSR1', () => {
    depth++; max = Math.max(max, depth); runs++;
    masks.push(ctx.sigprocmask('SIG_BLOCK', []));
    if (runs < 4) ctx.kill(ctx.getpid(), 'SIGUSR1'); // blocked here: taken after this handler returns
    if (runs === 1) ctx.kill(ctx.getpid(), 'SIGUSR2'); // not blocked: runs inside this handler
    ctx.getpid(); // an interrupt point inside the handler
    depth--;
  });
  ctx.kill(ctx.getpid(), 'SIGUSR1');
  const after = ctx.sigprocmask('SIG_BLOCK', []);
  ctx.write(ctx.open('/sys/kernel/tracing/trace_marker', 'w'), 'result ' + JSON.stringify({ runs, max, usr2Depth, masks, after }));
  return 0;
}`)}`;

describe('a signal is blocked during its own handler', () => {
  const boot = useLabs();

  it('does not nest, sees itself in the mask inside, and the old mask is back afterwards', async () => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(PROG);
    expect(await within(15_000, 'handler task', t.exited), t.error).toEqual({ code: 0 });
    const trace = await lab.tracefs.read('trace');
    const got = JSON.parse(/result (\{.*\})$/m.exec(trace)?.[1] ?? 'null') as unknown;
    expect(got, trace).toEqual({ runs: 4, max: 1, usr2Depth: 1, masks: [[10], [10], [10], [10]], after: [] });
  });
});
