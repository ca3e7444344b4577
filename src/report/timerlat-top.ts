// `tracelab timerlat top` output, laid out as rtla's timerlat_top.c (timerlat_top_header,
// timerlat_top_print, timerlat_top_print_sum), then tracelab's percentile/stddev block and the
// loss line. Presentation only: renders a TimerlatResult; `pretty` adds rtla's colours.
import { EXTRA_ROWS, col9, cpusWithData, formatDuration, formatLoss, mergeContext } from './timerlat-format.js';
import type { ContextResult, TimerlatResult } from './timerlat-types.js';

/** Options of {@link renderTimerlatTop}. */
export interface TopRenderOptions {
  /** rtla's pretty_output: ANSI colours in the header (a TTY without NO_COLOR). @default false */
  readonly pretty?: boolean;
  /** Start with rtla's clear_terminal escape (a TTY refresh). @default false */
  readonly clear?: boolean;
  /** Print the percentile block and the loss line after the table. @default true */
  readonly extras?: boolean;
}

const NO_VALUE = '        -';
const SPLIT = '----------------------------------------';

function row4(c: ContextResult, nano: boolean): string {
  if (c.summary.count === 0) return `${NO_VALUE} ${NO_VALUE} ${NO_VALUE} ${NO_VALUE}`;
  const s = c.summary;
  return `${col9(s.curNs, nano)} ${col9(s.minNs, nano)} ${col9(s.avgNs, nano)} ${col9(s.maxNs, nano)}`;
}

function sum3(c: ContextResult, nano: boolean): string {
  if (c.summary.count === 0) return `          ${NO_VALUE} ${NO_VALUE} ${NO_VALUE}`;
  const s = c.summary;
  return `          ${col9(s.minNs, nano)} ${col9(s.avgNs, nano)} ${col9(s.maxNs, nano)}`;
}

/** Render the top screen. */
export function renderTimerlatTop(r: TimerlatResult, opts: TopRenderOptions = {}): string {
  const nano = r.config.nano;
  const unit = nano ? 'ns' : 'us';
  const user = r.userData;
  const pretty = opts.pretty === true;
  const out: string[] = [];
  const c = (code: string): string => (pretty ? code : '');
  out.push(`${c('\x1b[2;37;40m')}                                     Timer Latency                                              ${user ? '                                         ' : ''}${c('\x1b[0;0;0m')}`);
  out.push(`${formatDuration(r.elapsedS).padEnd(6)}   |          IRQ Timer Latency (${unit})        |         Thread Timer Latency (${unit})${user ? `      |    Ret user Timer Latency (${unit})` : ''}`);
  out.push(`${c('\x1b[2;30;47m')}CPU COUNT      |      cur       min       avg       max |      cur       min       avg       max${user ? ' |      cur       min       avg       max' : ''}${c('\x1b[0;0;0m')}`);
  const cpus = cpusWithData(r);
  for (const cpu of cpus) {
    let line = `${String(cpu.cpu).padStart(3)} #${String(cpu.irq.summary.count).padEnd(9)} |${row4(cpu.irq, nano)} |${row4(cpu.thread, nano)}`;
    if (user) line += ` |${row4(cpu.user, nano)}`;
    out.push(line);
  }
  if (cpus.length > 0) {
    const all = { irq: mergeContext(cpus, 'irq', r.layout), thread: mergeContext(cpus, 'thread', r.layout), user: mergeContext(cpus, 'user', r.layout) };
    let count = all.irq.summary.count;
    let e = 0;
    while (count > 999999) {
      e++;
      count = Math.floor(count / 10);
    }
    out.push(`${SPLIT.slice(0, 15)}|${SPLIT.slice(0, 40)}|${SPLIT.slice(0, 39)}${user ? `-|${SPLIT.slice(0, 39)}` : ''}`);
    let line = `ALL #${String(count).padEnd(6)} e${e} |${sum3(all.irq, nano)} |${all.thread.summary.count === 0 ? `${NO_VALUE} ${NO_VALUE} ${NO_VALUE} ${NO_VALUE}` : sum3(all.thread, nano)}`;
    if (user) line += ` |${sum3(all.user, nano)}`;
    out.push(line);
    if (opts.extras !== false) out.push('', ...renderPercentiles(r, all));
  }
  if (opts.extras !== false) out.push(...formatLoss(r));
  return `${opts.clear === true ? '\x1bc' : ''}${out.join('\n')}\n`;
}

// tracelab's block: per CPU and context, p50/p90/p99/p99.9 and stddev, then skipped periods.
function renderPercentiles(r: TimerlatResult, all: Record<'irq' | 'thread' | 'user', ContextResult>): string[] {
  const nano = r.config.nano;
  const ctxs = r.userData ? (['irq', 'thread', 'user'] as const) : (['irq', 'thread'] as const);
  const names = { irq: 'IRQ', thread: 'Thr', user: 'Usr' } as const;
  const head = `CPU ctx  ${EXTRA_ROWS.map((x) => x.label.padStart(9)).join(' ')}   skipped  (${nano ? 'ns' : 'us'})`;
  const lines = [head];
  const row = (label: string, ctx: ContextResult, skipped: string): string =>
    `${label} ${EXTRA_ROWS.map((x) => col9(ctx.summary[x.key], nano)).join(' ')} ${skipped.padStart(9)}`;
  for (const cpu of cpusWithData(r)) {
    for (const k of ctxs) lines.push(row(`${String(cpu.cpu).padStart(3)} ${names[k]} `, cpu[k], k === 'irq' ? String(cpu.skipped) : ''));
  }
  for (const k of ctxs) lines.push(row(`ALL ${names[k]} `, all[k], k === 'irq' ? String(cpusWithData(r).reduce((a, c) => a + c.skipped, 0)) : ''));
  return lines;
}
