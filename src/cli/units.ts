// The one parser of every command-line duration and time (rtla's parse_seconds_duration and
// parse_ns_duration, plus a decimal point): `-d 3s`, `--warm-up 1m`, `-p 0.5ms`, `-T 100us`. A value
// with a fraction is taken when it comes to a whole number of the base unit (0.5ms = 500 us), exactly
// (decimal arithmetic on BigInt, no float rounding); anything else is EINVAL naming the option. CLI process.
import { kerr } from '../errno.js';

const SECONDS: Readonly<Record<string, bigint>> = { '': 1n, s: 1n, m: 60n, h: 3600n, d: 86_400n };
const NANOSECONDS: Readonly<Record<string, bigint>> = { '': 1000n, ns: 1n, us: 1000n, ms: 1_000_000n, s: 1_000_000_000n };

/** Throw `option EINVAL: <path> — <hint>`. */
export function optionError(path: string, hint: string): never {
  throw kerr('EINVAL', 'option', path, hint);
}

// `<digits>[.<digits>]<unit>` → value × unitScale / 10^fraction-digits, or null when not whole.
function scaled(text: string, units: Readonly<Record<string, bigint>>, path: string, what: string, form: string): { whole: bigint | null; shown: string } {
  const t = text.trim();
  const m = /^(\d+)(?:\.(\d+))?([a-z]*)$/i.exec(t);
  const scale = m === null ? undefined : units[m[3]!.toLowerCase()];
  if (m === null || scale === undefined) return optionError(path, `${JSON.stringify(text)} is not a ${what}; ${form}`);
  const frac = m[2] ?? '';
  const num = BigInt(`${m[1]}${frac}`) * scale;
  const den = 10n ** BigInt(frac.length);
  return { whole: num % den === 0n ? num / den : null, shown: t };
}

function inRange(v: bigint, min: number, max: number): boolean {
  return v >= BigInt(min) && v <= BigInt(max);
}

/** A duration in whole seconds: N, Ns, Nm, Nh, Nd (a fraction if it gives whole seconds: 1.5m). */
export function parseDurationS(text: string, path: string, range: { min?: number; max?: number } = {}): number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const bounds = range.min === undefined && range.max === undefined ? '' : `, in [${min}s, ${max}s]`;
  const form = `expected a duration like 10, 10s, 2m, 1h or 1d${bounds}`;
  const { whole, shown } = scaled(text, SECONDS, path, 'duration', form);
  if (whole === null) optionError(path, `${JSON.stringify(shown)} is not a whole number of seconds; ${form}`);
  if (!inRange(whole, min, max)) optionError(path, `${JSON.stringify(shown)} is out of range; ${form}`);
  return Number(whole);
}

/** A time in whole microseconds: plain µs (100) or with a unit: 500000ns, 100us, 0.5ms, 1s. */
export function parseTimeUs(text: string, path: string, min: number, max: number): number {
  const form = `expected a whole number of microseconds in [${min}, ${max}], plain or with a unit: 100, 100us, 0.5ms, 1s`;
  const { whole: ns, shown } = scaled(text, NANOSECONDS, path, 'time', form);
  if (ns === null || ns % 1000n !== 0n) return optionError(path, `${JSON.stringify(shown)} is not a whole number of microseconds; ${form}`);
  const us = ns / 1000n;
  if (!inRange(us, min, max)) optionError(path, `${JSON.stringify(shown)} is out of range; ${form}`);
  return Number(us);
}
