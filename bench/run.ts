// Runs the benchmark suites: `node --expose-gc dist/bench/run.js [name…]` (names: lab, ringbuf, uintr, timerlat).
import { existsSync } from 'node:fs';

const all = ['lab', 'ringbuf', 'uintr', 'timerlat', 'perf'];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
for (const name of chosen) {
  const url = new URL(`./${name}.bench.js`, import.meta.url);
  if (!existsSync(url)) {
    console.log(`# bench ${name}: not built, skipped`);
    continue;
  }
  const mod = (await import(url.href)) as { main?: () => Promise<void> };
  if (typeof mod.main !== 'function') throw new Error(`bench ${name} has no main()`);
  await mod.main();
}
