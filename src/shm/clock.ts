// One monotonic nanosecond clock, comparable across every thread of the process.
// Runs in every thread. performance.now() has a different origin in each worker, so we read
// CLOCK_MONOTONIC through process.hrtime (one process-wide origin) and subtract a shared epoch.
import { isMainThread } from 'node:worker_threads';

/** Environment variable that carries the epoch from the main thread to the workers it starts. */
export const CLOCK_EPOCH_ENV = 'TRACELAB_CLOCK_EPOCH_NS';

/*
 * Why an epoch, and what it costs: Number(hrtime.bigint()) stays exact only below 2^53 ns
 * (104 days of uptime). Subtracting an epoch keeps stamps small and exact. The main thread that
 * first loads this module picks the epoch and exports it through process.env, which every Worker
 * copies at creation, so all threads subtract the same value. A worker started by a main thread
 * that never loaded tracelab uses epoch 0: still one origin for all, exact for 104 days of uptime.
 */
function pickEpoch(): bigint {
  const inherited = process.env[CLOCK_EPOCH_ENV];
  if (inherited !== undefined && /^\d+$/.test(inherited)) return BigInt(inherited);
  if (!isMainThread) return 0n;
  const epoch = process.hrtime.bigint();
  process.env[CLOCK_EPOCH_ENV] = epoch.toString();
  return epoch;
}

const EPOCH = pickEpoch();

/*
 * Why stamps start at 2^32 ns, and what it costs: V8 keeps whole numbers below 2^31 as small
 * integers (Smis) and larger ones as doubles. Stamps that started at 0 crossed 2^31 ns 2.1 s after
 * the epoch, and then every optimised function and object shape that had only seen them as Smis was
 * thrown away and rebuilt (deoptimised: "not a Smi", "wrong map"). On a CPU actor running timerlat
 * that made the IRQ-to-thread path ~5–10 µs slower for the first ~4 s of every run (thread minus irq
 * latency 8–15 µs, then 1.6–2.8 µs; docs/timerlat.md). Starting at 2^32 ns keeps every stamp a double
 * from the first one. Cost: trace timestamps start at 4.294967 s instead of 0 (the kernel's start at
 * boot, so no tool may assume 0); the 2^53 ns exact range is unchanged for practical purposes.
 */
const ORIGIN = EPOCH - (1n << 32n);

/*
 * Why `process.hrtime()` and not `process.hrtime.bigint()`, and what it costs: the BigInt read
 * allocates two BigInts per call (the reading and the difference), 52 ns here and a young-generation
 * collection every ~18,000 calls; `hrtime()` reads the same CLOCK_MONOTONIC into a [s, ns] pair
 * that TurboFan's escape analysis removes once clockNs is optimised: 27 ns, no allocation (measured,
 * 2·10^7 calls: 1099 scavenges against 14). The origin is split into whole seconds and the rest, so
 * (s - ORIGIN_S)·1e9 + (ns - ORIGIN_NS) is the same integer as Number(hrtime.bigint() - ORIGIN),
 * exact while it stays below 2^53 ns (104 days). `hrtime` is captured at load, so a test's fake timers
 * cannot change the trace clock.
 */
const ORIGIN_S = Number(ORIGIN / 1_000_000_000n);
const ORIGIN_NS = Number(ORIGIN % 1_000_000_000n);
const hrtime = process.hrtime;

/** Nanoseconds since the process-wide epoch, plus 2^32; the same clock in every thread. */
export function clockNs(): number {
  const t = hrtime();
  return (t[0] - ORIGIN_S) * 1e9 + (t[1] - ORIGIN_NS);
}

/** CLOCK_MONOTONIC nanoseconds at which clockNs() reads 0 (for trace file headers). */
export function clockEpochNs(): bigint {
  return ORIGIN;
}
