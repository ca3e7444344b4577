// Claim: the types that public signatures use can be named by a user from the package entry
// (dist/src/index.d.ts, so run `npm run build` first): LatencySnapshot, StopAnalysis, UintrHandler,
// UintrWaitResult, WaitResult, SharedWasmMemory, IpiName, SigprocmaskHow, UintrSignal, TaskMain,
// TimerlatState; `lab.timerlat.state` is that union, and the control plane's hooks are not exported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('public types', () => {
  it('a user project can name every type of the public signatures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracelab-types-'));
    const entry = JSON.stringify(join(root, 'dist/src/index.js'));
    try {
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')], strict: true, noEmit: true, skipLibCheck: false,
        },
        files: ['user.ts'],
      }));
      writeFileSync(join(dir, 'user.ts'), [
        `import type { Lab, LatencySnapshot, StopAnalysis, UintrHandler, UintrWaitResult, WaitResult, SharedWasmMemory, IpiName, SigprocmaskHow, UintrSignal, TaskMain, TimerlatState, RingBuffer, UintrReceiver, TaskContext } from ${entry};`,
        `// @ts-expect-error the control plane's hooks are internal`,
        `import { timerlatHooks } from ${entry};`,
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
      ].join('\n'));
      let out = '';
      try {
        execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        out = String((err as { stdout?: string }).stdout ?? err);
      }
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
