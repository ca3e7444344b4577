// Claim: a pending waitAsync-based wait (waitWordAsync, UintrReceiver.waitAsync,
// RingBuffer.waitForDataAsync) holds the event loop open, so in a script with nothing else to do
// the promise settles with 'timed-out' and the process exits 0 (it used to exit 13, unsettled).
// Each case runs in a child node process on the built dist/ (run `npm run build` first).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist/src/', import.meta.url));

function run(body: string): { status: number | null; out: string } {
  const src = `import * as t from ${JSON.stringify(`${dist}index.js`)};\nimport * as w from ${JSON.stringify(`${dist}shm/wait.js`)};\n${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('async waits keep the process alive until they settle', () => {
  it.each([
    ['UintrReceiver.waitAsync({ timeoutMs: 50 })', `const tb = t.UintrTable.create({ receivers: 1, senders: 1 });
const rx = tb.registerReceiver(() => {}); rx.createFd(3); rx.stui();
console.log('result', await rx.waitAsync({ timeoutMs: 50 }));`],
    ['RingBuffer.waitForDataAsync with a 100 ms deadline', `const ring = t.RingBuffer.create({ cpus: 1, subbufSize: 4096, subbufsPerCpu: 4 });
console.log('result', await ring.waitForDataAsync(0, { deadlineNs: t.clockNs() + 100e6 }));`],
    ['waitWordAsync with a 50 ms deadline', `const v = new Int32Array(new SharedArrayBuffer(4));
console.log('result', await w.waitWordAsync(v, 0, 0, { deadlineNs: t.clockNs() + 50e6 }));`],
  ])('%s settles with timed-out and exit code 0', (_what, body) => {
    const r = run(body);
    expect(r.out).toMatch(/^result timed-out$/m);
    expect(r.status).toBe(0);
  });

  it('the same wait with keepAlive: false leaves nothing holding the loop: exit 13, never settled', () => {
    const r = run(`const v = new Int32Array(new SharedArrayBuffer(4));
console.log('result', await w.waitWordAsync(v, 0, 0, { deadlineNs: t.clockNs() + 50e6, keepAlive: false }));`);
    expect(r.out).not.toMatch(/result/);
    expect(r.status).toBe(13);
  });

  it('a settled wait leaves no handle behind: the process exits right after, not after the hold period', () => {
    const r = run(`const v = new Int32Array(new SharedArrayBuffer(4));
setTimeout(() => { Atomics.store(v, 0, 1); Atomics.notify(v, 0); }, 20);
console.log('result', await w.waitWordAsync(v, 0, 0));`);
    expect(r.out).toMatch(/^result ok$/m);
    expect(r.status).toBe(0); // a leaked hold would keep it running into spawnSync's 15 s kill (status null)
  });
});
