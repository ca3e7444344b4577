// `tracelab report`: a decoded trace file as ftrace text (trace-cmd report). Pure, any thread.
// Pages of one CPU are in order; CPUs are merged by timestamp (stable), and each page's in-band
// losses print as `CPU:N [LOST M EVENTS]` just before that page's first event.
import { eventFormat, formatEventLine, formatTs } from './events.js';
import { formatLost } from './event-view.js';
import type { TraceFileChunk, TraceFileHeader } from './tracefile.js';

interface Line {
  readonly tsNs: number;
  readonly cpu: number;
  readonly seq: number;
  readonly text: string;
}

/** Render a trace file's chunks: `# tracer` style header, then merged lines (each without newline). */
export async function formatTraceFile(chunks: AsyncIterable<TraceFileChunk>): Promise<string[]> {
  let header: TraceFileHeader | undefined;
  const lines: Line[] = [];
  let lost = 0;
  let seq = 0;
  for await (const ch of chunks) {
    if (ch.kind === 'header') header = ch.header;
    else if (ch.kind === 'page') {
      const events = ch.page.records.filter((r) => r.kind === 'event');
      const first = events[0]?.kind === 'event' ? events[0].tsNs : ch.page.baseTsNs;
      if (ch.lostBefore > 0) {
        lost += ch.lostBefore;
        lines.push({ tsNs: first, cpu: ch.cpu, seq: seq++, text: formatLost(ch.cpu, ch.lostBefore) });
      }
      for (const r of events) {
        if (r.kind !== 'event') continue;
        lines.push({ tsNs: r.tsNs, cpu: ch.cpu, seq: seq++, text: lineOf(header, ch.cpu, r.tsNs, r.type, r.payload) });
      }
    }
  }
  const comms = new Map(header?.comms ?? []);
  lines.sort((a, b) => a.tsNs - b.tsNs || a.seq - b.seq);
  const head = [
    `# tracelab report: ${header?.cpus ?? 0} cpus, clock ${header?.clock.name ?? '?'} (${header?.clock.unit ?? 'ns'}), ${header?.subbufSize ?? 0} B pages`,
    `# entries: ${lines.length}, lost: ${lost}`,
    '#',
    '#           TASK-PID     CPU#     TIMESTAMP  FUNCTION',
    '#              | |         |         |         |',
  ];
  return [...head, ...lines.map((l) => (comms.size === 0 ? l.text : l.text.replace(/^ *<\.\.\.>-(\d+)/, (m, pid: string) => {
    const comm = comms.get(Number(pid));
    return comm === undefined ? m : `${comm.padStart(16)}-${pid}`;
  })))];
}

function lineOf(header: TraceFileHeader | undefined, cpu: number, tsNs: number, type: number, payload: Uint8Array): string {
  if (eventFormat(type) !== undefined) return formatEventLine(cpu, tsNs, type, payload);
  // A type this process has no formatter for: name it from the file's event table, show hex.
  const name = header?.events.find((e) => e.type === type)?.name ?? `type${type}`;
  const hex = Array.from(payload, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${'<idle>'.padStart(16)}-${'0'.padEnd(7)} [${String(cpu).padStart(3, '0')}] ${formatTs(tsNs)}: ${name}: len=${payload.byteLength} ${hex}`;
}
