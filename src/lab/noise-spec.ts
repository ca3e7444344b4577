// The noise-spec grammar shared by `--noise` and the osnoise/noise file:
//   KIND:DURATION/PERIOD[:random][:seed=N][:name=NAME]
// KIND is irq, softirq or thread; DURATION and PERIOD are microseconds, plain or with a unit
// (500ns, 100us, 1ms, 2s). Examples: `thread:500us/10ms`, `irq:20/1000:random:seed=7`.
// Control plane (and CLI). Bad specs get EINVAL naming the grammar; the file, the CLI and
// `lab.timerlat.setNoise()` share checkNoiseSpec / checkNoiseMask, so all three accept the same.
import { inspect } from 'node:util';
import { kerr } from '../errno.js';
import { parseCpuList, parseTimeUs } from '../tracefs/parse.js';
import type { NoiseSpec } from '../tracers/noise.js';

const GRAMMAR = 'KIND:DURATION/PERIOD[:random][:seed=N][:name=NAME], KIND = irq|softirq|thread, e.g. thread:500us/10ms';
const KINDS: ReadonlySet<unknown> = new Set(['irq', 'softirq', 'thread']);
const NAME = /^[\w.-]{1,32}$/;

function einval(shown: string, why: string, where: string): never {
  throw kerr('EINVAL', 'write', where, `${shown}: ${why}; expected ${GRAMMAR}`);
}

/** Parse one spec; `where` names the option or file for the error. */
export function parseNoiseSpec(text: string, where = 'osnoise/noise'): NoiseSpec {
  const bad = (why: string): never => einval(JSON.stringify(text), why, where);
  const parts = text.trim().split(':');
  const kind = parts[0];
  if (kind !== 'irq' && kind !== 'softirq' && kind !== 'thread') return bad('unknown kind');
  const times = (parts[1] ?? '').split('/');
  if (times.length !== 2) return bad('missing DURATION/PERIOD');
  const site = { path: where };
  const durationUs = parseTimeUs(times[0]!, site);
  const periodUs = parseTimeUs(times[1]!, site);
  let random = false;
  let seed = 1;
  let name: string | undefined;
  for (const p of parts.slice(2)) {
    if (p === 'random') random = true;
    else if (/^seed=\d+$/.test(p)) seed = Number(p.slice(5));
    else if (/^name=/.test(p)) name = p.slice(5);
    else bad(`unknown field ${JSON.stringify(p)}`);
  }
  const spec: NoiseSpec = { kind, durationUs, periodUs, random, seed, name: name ?? `${kind}-noise` };
  checkNoiseSpec(spec, where, JSON.stringify(text));
  return spec;
}

/**
 * Check a spec object against what the grammar allows (a non-negative DURATION shorter than a
 * positive PERIOD, a whole seed, a NAME of 1-32 [\w.-]); throws EINVAL naming `where`.
 */
export function checkNoiseSpec(spec: NoiseSpec, where = 'osnoise/noise', shown = inspect(spec, { breakLength: Infinity })): void {
  const bad = (why: string): never => einval(shown, why, where);
  if (typeof spec !== 'object' || spec === null) return bad('not a noise spec object');
  if (!KINDS.has(spec.kind)) bad('unknown kind');
  const { durationUs, periodUs } = spec;
  if (typeof durationUs !== 'number' || !(durationUs >= 0) || durationUs > Number.MAX_SAFE_INTEGER) bad('DURATION must be a number of µs ≥ 0');
  if (typeof periodUs !== 'number' || !(periodUs > 0) || periodUs > Number.MAX_SAFE_INTEGER) bad('PERIOD must be a number of µs > 0');
  if (durationUs >= periodUs) bad('DURATION must be shorter than PERIOD');
  if (spec.random !== undefined && typeof spec.random !== 'boolean') bad('random must be a boolean');
  if (spec.seed !== undefined && !(Number.isSafeInteger(spec.seed) && spec.seed >= 0)) bad('seed must be a whole number ≥ 0');
  if (spec.name !== undefined && (typeof spec.name !== 'string' || !NAME.test(spec.name))) bad(`name must be 1-32 of A-Z a-z 0-9 _ . -, got ${JSON.stringify(spec.name)}`);
}

/**
 * Check a noise mask given as cpu numbers exactly as osnoise/noise_mask checks its cpu list
 * (EINVAL unless every entry is a cpu below `nrCpus`); returns it sorted, without repeats.
 */
export function checkNoiseMask(mask: readonly number[], nrCpus: number, where = 'osnoise/noise_mask'): number[] {
  if (!Array.isArray(mask)) throw kerr('EINVAL', 'write', where, `the mask must be an array of cpu numbers (valid cpus are 0-${nrCpus - 1})`);
  if (mask.length === 0) return [];
  // Each number must print as a plain cpu number, so "1.5", "-1", "NaN" fail the cpu list form.
  const text = mask.map((c) => (typeof c === 'number' ? String(c) : '?')).join(',');
  return parseCpuList(text, nrCpus, { path: where });
}

/** Format a spec back into the grammar (what osnoise/noise reads back; whole µs, else ns). */
export function formatNoiseSpec(s: NoiseSpec): string {
  const extra = [s.random === true ? 'random' : '', s.random === true ? `seed=${s.seed ?? 1}` : '', s.name !== undefined && s.name !== `${s.kind}-noise` ? `name=${s.name}` : ''].filter((x) => x !== '');
  return [`${s.kind}:${time(s.durationUs)}/${time(s.periodUs)}`, ...extra].join(':');
}

const time = (us: number): string => (Number.isInteger(us) ? `${us}us` : `${Math.round(us * 1000)}ns`);
