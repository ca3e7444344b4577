// Claim: the types that public signatures use can be named by a user from the package entry
// (dist/src/index.d.ts, so run `npm run build` first): LatencySnapshot, StopAnalysis, UintrHandler,
// UintrWaitResult, WaitResult, SharedWasmMemory, IpiName, SigprocmaskHow, UintrSignal, TaskMain,
// TimerlatState; `lab.timerlat.state` is that union, and the control plane's hooks are not exported.
import { describe, expect, it } from 'vitest';
import { ENTRY, userTsc } from '../helpers/user-tsc.js';

describe('public types', () => {
  it('a user project can name every type of the public signatures', () => {
    expect(userTsc([
      `import type { Lab, LatencySnapshot, StopAnalysis, UintrHandler, UintrWaitResult, WaitResult, SharedWasmMemory, IpiName, SigprocmaskHow, UintrSignal, TaskMain, TimerlatState, RingBuffer, UintrReceiver, TaskContext } from ${ENTRY};`,
      `// @ts-expect-error the control plane's hooks are internal`,
      `import { timerlatHooks } from ${ENTRY};`,
      'export function use(lab: Lab, ring: RingBuffer, rx: UintrReceiver): void {',
      "  const h: LatencySnapshot = lab.timerlat.histogram(0, 'user');",
      '  const st: TimerlatState = lab.timerlat.state;',
      "  // @ts-expect-error state is a union of its real states, not string",
      "  const bogus: 'bogus' = lab.timerlat.state;",
      '  const w: Promise<WaitResult> = ring.waitForDataAsync(0, { deadlineNs: 1 });',
      '  const u: Promise<UintrWaitResult> = rx.waitAsync({ timeoutMs: 1 });',
      '  const m: SharedWasmMemory = ring.handle.memory;',
      "  const ipi: IpiName = 'resched';",
      "  const how: SigprocmaskHow = 'SIG_BLOCK';",
      "  const sig: UintrSignal = 'SIGILL';",
      '  const handler: UintrHandler = (v) => void v;',
      '  const main: TaskMain = (ctx: TaskContext, arg: unknown) => (ctx.getpid(), arg);',
      "  lab.timerlat.on('stop', (s) => { if (s.kind === 'threshold') { const a: StopAnalysis | undefined = s.analysis; void a; } });",
      '  void [h, st, bogus, w, u, m, ipi, how, sig, handler, main, timerlatHooks];',
      '}',
    ])).toBe('');
  }, 60_000);
});
