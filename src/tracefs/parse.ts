// Parsers for what users write into tracefs files and pass on the command line, with the
// kernel's formats: bitmap_parselist/%*pbl cpu lists, bitmap_parse/%*pb hex masks, kstrtoul
// numbers, rtla's duration suffixes. Pure and synchronous; runs in whichever thread parses.
// Bad input throws KernelError EINVAL whose hint states the allowed form or range.
import { kerr } from '../errno.js';

/** Where a value was written, for the error: `write` on a tracefs path, or a CLI option. */
export interface ParseSite {
  /** @default 'write' */
  readonly syscall?: string;
  /** The tracefs path or CLI option name; omitted from the message when absent. */
  readonly path?: string;
}

/** Inclusive bounds for {@link parseUnsigned}. */
export interface UnsignedRange {
  /** @default 0 */
  readonly min?: number;
  /** @default Number.MAX_SAFE_INTEGER */
  readonly max?: number;
}

function einval(site: ParseSite | undefined, hint: string): never {
  throw kerr('EINVAL', site?.syscall ?? 'write', site?.path, hint);
}

// Strings are quoted with JSON.stringify so a stray newline or space is visible in the hint.
function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function checkNrCpus(nrCpus: number): void {
  if (!Number.isInteger(nrCpus) || nrCpus < 1) throw new RangeError(`nrCpus must be a whole number ≥ 1, got ${nrCpus}`);
}

function validCpus(nrCpus: number): string {
  return nrCpus === 1 ? 'the only cpu is 0' : `valid cpus are 0-${nrCpus - 1}`;
}

/** Parse a kernel cpu list such as `0-3,5,7-8` into sorted, unique cpu numbers. */
export function parseCpuList(text: string, nrCpus: number, site?: ParseSite): number[] {
  checkNrCpus(nrCpus);
  const form = `expected a cpu list like 0-3,5 (${validCpus(nrCpus)})`;
  const body = text.trim();
  if (body === '') einval(site, `empty cpu list; ${form}`);
  const set = new Set<number>();
  for (const item of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (m === null) einval(site, `bad cpu list item ${shown(item)}; ${form}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) einval(site, `range ${item} is reversed; write it low-high, ${form}`);
    if (hi >= nrCpus) einval(site, `cpu ${hi} does not exist; ${validCpus(nrCpus)}`);
    for (let cpu = lo; cpu <= hi; cpu++) set.add(cpu);
  }
  return [...set].sort((a, b) => a - b);
}

function sortedUnique(cpus: readonly number[]): number[] {
  for (const cpu of cpus) {
    if (!Number.isInteger(cpu) || cpu < 0) throw new RangeError(`cpu numbers are whole numbers ≥ 0, got ${cpu}`);
  }
  return [...new Set(cpus)].sort((a, b) => a - b);
}

/** Format cpus in the kernel's compact list form (`%*pbl`): `0-3,5`; empty for no cpus. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = sortedUnique(cpus);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Parse a kernel hex cpu mask (`f`, `00000000,000000ff`: comma-separated 32-bit groups, low group last). */
export function parseCpuMask(text: string, nrCpus: number, site?: ParseSite): number[] {
  checkNrCpus(nrCpus);
  const form = `expected a hex cpu mask in 32-bit groups like ${formatCpuMask([0, 1, 2, 3].filter((c) => c < nrCpus), nrCpus)} (widest: ${formatCpuMask(Array.from({ length: nrCpus }, (_, i) => i), nrCpus)})`;
  const body = text.trim();
  if (body === '') einval(site, `empty cpu mask; ${form}`);
  const groups = body.split(',');
  // Check the form of every group first, so a syntax error is not reported as a range error.
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,8}$/.test(group)) einval(site, `bad mask group ${shown(group)}; ${form}`);
  }
  const cpus: number[] = [];
  groups.forEach((group, index) => {
    const word = Number.parseInt(group, 16);
    const base = 32 * (groups.length - 1 - index);
    for (let bit = 0; bit < 32; bit++) {
      if ((word >>> bit) & 1) {
        const cpu = base + bit;
        if (cpu >= nrCpus) einval(site, `mask sets cpu ${cpu}, which does not exist; ${validCpus(nrCpus)}`);
        cpus.push(cpu);
      }
    }
  });
  return cpus.sort((a, b) => a - b);
}

/** Format cpus as the kernel prints a cpumask (`%*pb`): lowercase hex, 32-bit groups, high group first. */
export function formatCpuMask(cpus: readonly number[], nrCpus: number): string {
  checkNrCpus(nrCpus);
  const sorted = sortedUnique(cpus);
  const last = sorted[sorted.length - 1];
  if (last !== undefined && last >= nrCpus) throw new RangeError(`cpu ${last} is beyond nrCpus ${nrCpus}`);
  const nGroups = Math.ceil(nrCpus / 32);
  const words = new Array<number>(nGroups).fill(0);
  for (const cpu of sorted) words[cpu >>> 5] = (words[cpu >>> 5]! | (1 << (cpu & 31))) >>> 0;
  // As lib/vsprintf.c bitmap_string(): the top group is only as wide as the bits it holds.
  const topBits = nrCpus - 32 * (nGroups - 1);
  const out: string[] = [];
  for (let g = nGroups - 1; g >= 0; g--) {
    const width = g === nGroups - 1 ? Math.ceil(topBits / 4) : 8;
    out.push(words[g]!.toString(16).padStart(width, '0'));
  }
  return out.join(',');
}

/** Parse a decimal whole number within `[min, max]` (what kstrtoul accepts, without a sign). */
export function parseUnsigned(text: string, range: UnsignedRange = {}, site?: ParseSite): number {
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || min > max) {
    throw new RangeError(`bad range [${min}, ${max}]: need safe whole numbers with 0 ≤ min ≤ max`);
  }
  const form = `expected a decimal whole number in [${min}, ${max}]`;
  const body = text.trim();
  if (!/^\d+$/.test(body)) einval(site, `${shown(text)} is not a number; ${form}`);
  const value = Number(body);
  if (!Number.isSafeInteger(value) || value < min || value > max) einval(site, `${body} is out of range; ${form}`);
  return value;
}

/** Parse `0` or `1` (e.g. tracing_on) into a boolean. */
export function parseBool01(text: string, site?: ParseSite): boolean {
  const body = text.trim();
  if (body === '0') return false;
  if (body === '1') return true;
  return einval(site, `${shown(text)} is not a switch; expected 0 or 1`);
}

const secondsPerUnit: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** Parse an rtla duration (`10`, `10s`, `2m`, `1h`, `1d`; unit case-insensitive) into seconds. Zero is returned, for callers to judge. */
export function parseDuration(text: string, site?: ParseSite): number {
  const form = 'expected a duration like 10, 10s, 2m, 1h or 1d';
  const m = /^(\d+)([smhd]?)$/i.exec(text.trim());
  if (m === null) einval(site, `${shown(text)} is not a duration; ${form}`);
  const seconds = Number(m[1]) * secondsPerUnit[m[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(seconds)) einval(site, `${m[0]} is too long; ${form}`);
  return seconds;
}

const usPerUnit: Record<string, number> = { '': 1, us: 1, ms: 1e3, s: 1e6 };

/** Parse a time in microseconds, plain (`100`) or with a unit (`500ns`, `100us`, `1ms`, `2s`); ns may give a fraction. */
export function parseTimeUs(text: string, site?: ParseSite): number {
  const form = 'expected microseconds like 100, or a time with a unit: 500ns, 100us, 1ms, 2s';
  const m = /^(\d+)(ns|us|ms|s)?$/.exec(text.trim());
  if (m === null) einval(site, `${shown(text)} is not a time; ${form}`);
  const count = Number(m[1]);
  const unit = m[2] ?? '';
  // Divide for ns: n / 1000 is correctly rounded, n * 0.001 is not always.
  const us = unit === 'ns' ? count / 1000 : count * usPerUnit[unit]!;
  if (!Number.isSafeInteger(count) || !Number.isFinite(us) || us > Number.MAX_SAFE_INTEGER) einval(site, `${m[0]} is too large; ${form}`);
  return us;
}
