// Event formats (kernel/trace/trace_output.c: trace_event registry, print_trace_line) and the
// ftrace text line `<comm>-<pid> [cpu] secs.usecs: name: text`. Pure; any thread; the registry is
// per thread (module state), so a worker that decodes events registers the same formats.
//
// Type table (the record header's 8-bit type). 0 is never an event; 1..15 are tracelab built-ins:
// | type | name            | owner          | payload                                               |
// |-----:|-----------------|----------------|-------------------------------------------------------|
// |    1 | print           | trace_marker   | u32 pid (LE), then UTF-8 text (shown as tracing_mark_write) |
// |    2 | timerlat_sample | src/tracers    | registered by the timerlat tracer                      |
// |    3 | tracepipe       | tracepipe.ts   | raw bytes of a tracepipe channel event                |
// |    4 | perf:sigtrap    | src/tracers/perf-sigtrap-event.ts | u32 pid, u32 type, f64 addr, u64 sig_data, u32 flags, u32 event |
// |    5 | kernel_stack    | src/tracers/timerlat-stack-event.ts | UTF-8 frames, innermost first, `\n`-separated, then optionally NUL + u32 pid (LE) of the dumping thread; prints as `<stack trace>` + ` => frame` lines |
// | 6-15 | reserved        |                |                                                       |
// | 16-255 | user formats  | registerEvent  | anything; unknown types print as hex                  |
// The pid convention: a format may give `pidOf(payload)`; without it, lines show `<idle>-0`.
import { kerr } from '../errno.js';

/** How one event type prints. */
export interface EventFormat {
  /** 1..255; 1..15 are reserved for tracelab's built-ins. */
  readonly type: number;
  /** The event name (the `events/<name>` of ftrace). */
  readonly name: string;
  /** What the line shows before `: ` (ftrace prints `tracing_mark_write` for print). @default name */
  readonly label?: string;
  /** The text after `name: `. */
  format(payload: Uint8Array): string;
  /** The task that wrote the event, when the payload records it. @default none: `<idle>-0` */
  pidOf?(payload: Uint8Array): number;
}

/** Built-in event types. */
export const EVENT_PRINT = 1;
export const EVENT_TIMERLAT_SAMPLE = 2;
export const EVENT_TRACEPIPE = 3;
/** Highest type reserved for built-ins; user formats start above it. */
export const MAX_BUILTIN_EVENT = 15;
/** Bytes before the text of a print event (u32 pid). */
export const PRINT_HDR = 4;

const registry = new Map<number, EventFormat>();
const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8enc = new TextEncoder();

/**
 * Register how an event type prints. Throws EEXIST for a type already taken by another name,
 * EINVAL for a type outside 1..255. `builtin: true` is needed for types 1..15.
 */
export function registerEvent(fmt: EventFormat, opts: { readonly builtin?: boolean } = {}): void {
  const t = fmt.type;
  if (!Number.isInteger(t) || t < 1 || t > 255) throw kerr('EINVAL', 'register_event', fmt.name, `type must be 1..255, got ${String(t)}`);
  if (t <= MAX_BUILTIN_EVENT && opts.builtin !== true && t !== EVENT_TIMERLAT_SAMPLE) {
    throw kerr('EINVAL', 'register_event', fmt.name, `types 1..${MAX_BUILTIN_EVENT} are reserved for built-ins; use ${MAX_BUILTIN_EVENT + 1}..255`);
  }
  const old = registry.get(t);
  if (old !== undefined && old.name !== fmt.name) throw kerr('EEXIST', 'register_event', fmt.name, `type ${t} is already ${old.name}`);
  registry.set(t, fmt);
}

/** The format of `type`, or undefined. */
export function eventFormat(type: number): EventFormat | undefined {
  return registry.get(type);
}

/** Every registered format, by type (for trace file headers). */
export function eventFormats(): EventFormat[] {
  return [...registry.values()].sort((a, b) => a.type - b.type);
}

function hex(p: Uint8Array): string {
  let s = '';
  for (let i = 0; i < p.byteLength; i++) s += p[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Decode UTF-8 (invalid bytes become U+FFFD, never an exception). */
export function utf8Text(p: Uint8Array): string {
  return utf8.decode(p);
}

/** Encode a print event's payload: pid, then the text's UTF-8 bytes, cut to `maxBytes` in all. */
export function encodePrint(pid: number, text: string, maxBytes = Infinity): Uint8Array {
  const body = utf8enc.encode(text);
  const n = Math.max(0, Math.min(body.byteLength, maxBytes - PRINT_HDR));
  const out = new Uint8Array(PRINT_HDR + n);
  new DataView(out.buffer).setUint32(0, pid >>> 0, true);
  out.set(body.subarray(0, n), PRINT_HDR);
  return out;
}

registerEvent({
  type: EVENT_PRINT,
  name: 'print',
  label: 'tracing_mark_write',
  format: (p) => utf8Text(p.subarray(PRINT_HDR)).replace(/\n$/, ''),
  pidOf: (p) => (p.byteLength >= PRINT_HDR ? new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true) : 0),
}, { builtin: true });

registerEvent({ type: EVENT_TRACEPIPE, name: 'tracepipe', format: (p) => `len=${p.byteLength} ${hex(p)}` }, { builtin: true });

/** ftrace's timestamp: seconds.microseconds, right-aligned in 12 columns (`  1234.567890`). */
export function formatTs(tsNs: number): string {
  const us = Math.floor(Math.max(0, tsNs) / 1000);
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`.padStart(12);
}

/** Options of {@link formatEventLine}. */
export interface LineOptions {
  /** Name of a pid's task (ftrace's saved_cmdlines); unknown pids print `<...>`. */
  readonly commOf?: (pid: number) => string | undefined;
}

/**
 * One ftrace text line (no newline): `<comm>-<pid> [cpu] secs.usecs: name: text`. A format whose
 * text starts with a newline (the stack event) follows the label directly, as ftrace prints
 * `...: <stack trace>` and then one ` => frame` line per frame.
 */
export function formatEventLine(cpu: number, tsNs: number, type: number, payload: Uint8Array, opts: LineOptions = {}): string {
  const f = registry.get(type);
  const pid = f?.pidOf?.(payload) ?? 0;
  const comm = pid === 0 ? '<idle>' : opts.commOf?.(pid) ?? '<...>';
  const head = `${comm.padStart(16)}-${String(pid).padEnd(7)} [${String(cpu).padStart(3, '0')}] ${formatTs(tsNs)}: `;
  if (f === undefined) return `${head}type${type}: len=${payload.byteLength} ${hex(payload)}`;
  const text = f.format(payload);
  return `${head}${f.label ?? f.name}${text.startsWith('\n') ? '' : ': '}${text}`;
}
