// `--json`: the machine-readable record of a timerlat run, documented by
// docs/timerlat-json.schema.json (schema id tracelab-timerlat/1). Latencies are always in ns;
// histograms are sparse [lowUs, highUs, count] triples of the collected buckets.
// Presentation only: a pure function of the TimerlatResult.
import { cpusWithData, mergeContext } from './timerlat-format.js';
import type { ContextResult, TimerlatResult } from './timerlat-types.js';

/** The schema id written into every document. */
export const TIMERLAT_JSON_SCHEMA = 'tracelab-timerlat/1';

function ctx(c: ContextResult, layout: TimerlatResult['layout'], withHist: boolean): Record<string, unknown> {
  const s = c.summary;
  const out: Record<string, unknown> = {
    count: s.count, minNs: s.minNs, avgNs: s.avgNs, maxNs: s.maxNs, curNs: s.curNs, stddevNs: s.stddevNs,
    p50Ns: s.p50Ns, p90Ns: s.p90Ns, p99Ns: s.p99Ns, p999Ns: s.p999Ns,
  };
  if (withHist) {
    const hist: [number, number, number][] = [];
    c.hist.forEach((n, b) => {
      if (n > 0) hist.push([layout.lowUs[b]!, layout.highUs[b]!, n]);
    });
    out['histogram'] = hist;
  }
  return out;
}

/** Build the JSON document (an object; stringify it to write). */
export function timerlatJson(r: TimerlatResult): Record<string, unknown> {
  const withData = cpusWithData(r);
  const sum = (f: (l: TimerlatResult['loss'][number]) => number): number => r.loss.reduce((a, l) => a + f(l), 0);
  return {
    schema: TIMERLAT_JSON_SCHEMA,
    tool: r.config.tool,
    startedAt: r.startedAt,
    elapsedS: r.elapsedS,
    end: r.end,
    config: r.config,
    machine: r.machine,
    cpus: r.cpus.map((c) => ({
      cpu: c.cpu,
      skipped: c.skipped,
      noWaiter: c.noWaiter,
      irq: ctx(c.irq, r.layout, true),
      thread: ctx(c.thread, r.layout, true),
      user: ctx(c.user, r.layout, true),
    })),
    all: {
      irq: ctx(mergeContext(withData, 'irq', r.layout), r.layout, false),
      thread: ctx(mergeContext(withData, 'thread', r.layout), r.layout, false),
      user: ctx(mergeContext(withData, 'user', r.layout), r.layout, false),
    },
    loss: {
      overrun: sum((l) => l.overrun),
      dropped: sum((l) => l.dropped),
      commitOverrun: sum((l) => l.commitOverrun),
      skipped: r.cpus.reduce((a, c) => a + c.skipped, 0),
      noWaiter: r.cpus.reduce((a, c) => a + c.noWaiter, 0),
      perCpu: r.loss,
    },
    stop: r.stop,
  };
}

/** The document as text, one trailing newline. */
export function renderTimerlatJson(r: TimerlatResult): string {
  return `${JSON.stringify(timerlatJson(r), null, 2)}\n`;
}
