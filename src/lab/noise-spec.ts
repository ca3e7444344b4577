// The noise-spec grammar shared by `--noise` and the osnoise/noise file:
//   KIND:DURATION/PERIOD[:random][:seed=N][:name=NAME]
// KIND is irq, softirq or thread; DURATION and PERIOD are microseconds, plain or with a unit
// (500ns, 100us, 1ms, 2s). Examples: `thread:500us/10ms`, `irq:20/1000:random:seed=7`.
// Control plane (and CLI). Bad specs get EINVAL naming the grammar.
import { kerr } from '../errno.js';
import { parseTimeUs } from '../tracefs/parse.js';
import type { NoiseSpec } from '../tracers/noise.js';

const GRAMMAR = 'KIND:DURATION/PERIOD[:random][:seed=N][:name=NAME], KIND = irq|softirq|thread, e.g. thread:500us/10ms';

/** Parse one spec; `where` names the option or file for the error. */
export function parseNoiseSpec(text: string, where = 'osnoise/noise'): NoiseSpec {
  const bad = (why: string): never => {
    throw kerr('EINVAL', 'write', where, `${JSON.stringify(text)}: ${why}; expected ${GRAMMAR}`);
  };
  const parts = text.trim().split(':');
  const kind = parts[0];
  if (kind !== 'irq' && kind !== 'softirq' && kind !== 'thread') return bad('unknown kind');
  const times = (parts[1] ?? '').split('/');
  if (times.length !== 2) return bad('missing DURATION/PERIOD');
  const site = { path: where };
  const durationUs = parseTimeUs(times[0]!, site);
  const periodUs = parseTimeUs(times[1]!, site);
  if (periodUs <= 0) bad('PERIOD must be > 0');
  if (durationUs >= periodUs) bad('DURATION must be shorter than PERIOD');
  let random = false;
  let seed = 1;
  let name: string | undefined;
  for (const p of parts.slice(2)) {
    if (p === 'random') random = true;
    else if (/^seed=\d+$/.test(p)) seed = Number(p.slice(5));
    else if (/^name=[\w.-]{1,32}$/.test(p)) name = p.slice(5);
    else bad(`unknown field ${JSON.stringify(p)}`);
  }
  return { kind, durationUs, periodUs, random, seed, name: name ?? `${kind}-noise` };
}

/** Format a spec back into the grammar (what osnoise/noise reads back). */
export function formatNoiseSpec(s: NoiseSpec): string {
  const extra = [s.random === true ? 'random' : '', s.random === true ? `seed=${s.seed ?? 1}` : '', s.name !== undefined && s.name !== `${s.kind}-noise` ? `name=${s.name}` : ''].filter((x) => x !== '');
  return [`${s.kind}:${s.durationUs}us/${s.periodUs}us`, ...extra].join(':');
}
