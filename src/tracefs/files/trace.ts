// The trace buffer's files (kernel/trace/trace.c): trace, trace_pipe, trace_marker, buffer_size_kb,
// buffer_total_size_kb, per_cpu/cpuN/{trace_pipe_raw,stats}. Control plane only; the ring's writers
// run elsewhere. trace_pipe and trace_pipe_raw are the ring's (one) consuming reader; their reads
// block on watermark waits that close() cancels at once. See docs/tracefs.md for the table.
import { kerr } from '../../errno.js';
import { EVENT_PRINT, encodePrint, formatEventLine } from '../../ringbuf/events.js';
import { maxPayload } from '../../ringbuf/layout.js';
import { TracePipeReader } from '../../ringbuf/pipe.js';
import { type RingBuffer, formatStats } from '../../ringbuf/index.js';
import { parseUnsigned } from '../parse.js';
import type { OpenOps, Tracefs } from '../tree.js';

/** What the trace files control; src/lab/tracing.ts implements it. */
export interface TraceControl {
  /** The current ring (it changes on resize). */
  ring(): RingBuffer;
  /** current_tracer, for the `# tracer:` header. */
  tracer(): string;
  tracingOn(): boolean;
  /** Per-CPU size in KiB as allocated (pages × page size). */
  bufferSizeKb(): number;
  /** Replace the ring with one of `kb` KiB per CPU; EBUSY while tracing is on. */
  resize(kb: number): void;
  /** Drop every unread event (`echo > trace`). */
  clear(): void;
  /** The CPU a task runs on now (trace_marker writes land there). @default cpu 0 */
  cpuOf?(pid: number): number;
  /** Name of a pid (saved_cmdlines); unknown prints `<...>`. */
  commOf?(pid: number): string | undefined;
  /** Register an open consuming reader: closed at shutdown, interrupted on resize. Returns untrack. */
  track?(reader: TrackedReader): () => void;
}

/** A blocking reader the control plane can end (shutdown) or send back to the current ring (resize). */
export interface TrackedReader {
  close(): void;
  interrupt(): void;
}

/** ftrace's `trace` header (irq-info off). */
export function traceHeader(tracer: string, entries: number, written: number, cpus: number): string {
  return [
    `# tracer: ${tracer}`,
    '#',
    `# entries-in-buffer/entries-written: ${entries}/${written}   #P:${cpus}`,
    '#',
    '#           TASK-PID     CPU#     TIMESTAMP  FUNCTION',
    '#              | |         |         |         |',
    '',
  ].join('\n');
}

/** The whole `trace` text: header, then every unread event merged by timestamp, not consumed. */
export function traceText(ctl: TraceControl): string {
  const ring = ctl.ring();
  const cpus = ring.params.cpus;
  const events = [];
  let written = 0;
  for (let c = 0; c < cpus; c++) {
    const st = ring.stats(c);
    written += st.overrun;
    events.push(...ring.snapshot(c));
  }
  events.sort((a, b) => a.tsNs - b.tsNs || a.cpu - b.cpu);
  written += events.length;
  const commOf = ctl.commOf?.bind(ctl);
  const lines = events.map((e) => `${formatEventLine(e.cpu, e.tsNs, e.type, e.payload, commOf === undefined ? {} : { commOf })}\n`);
  return traceHeader(ctl.tracer(), events.length, written, cpus) + lines.join('');
}

/** Write a print event for `pid` (0: the control plane) on its current CPU; returns bytes taken. */
export function writeMarker(ctl: TraceControl, pid: number, text: string): number {
  // trace.c: tracing_mark_write returns -EBADF when the ring does not take the event.
  if (!ctl.tracingOn()) throw kerr('EBADF', 'write', 'trace_marker', 'the ring buffer is disabled: echo 1 > tracing_on');
  const ring = ctl.ring();
  let cpu = 0;
  if (pid !== 0 && ctl.cpuOf !== undefined) {
    try {
      cpu = ctl.cpuOf(pid);
    } catch {
      cpu = 0; // a task that just ended: its last CPU is unknown
    }
  }
  const payload = encodePrint(pid, text, maxPayload(ring.params.subbufSize));
  if (!ring.write(cpu, EVENT_PRINT, payload)) throw kerr('EBADF', 'write', 'trace_marker', 'the buffer is full (discard mode): the event was dropped and counted');
  return Math.min(Buffer.byteLength(text), payload.byteLength - 4);
}

function pipeOps(ctl: TraceControl): OpenOps {
  const commOf = ctl.commOf?.bind(ctl);
  const reader = new TracePipeReader(() => ctl.ring(), { tracingOn: () => ctl.tracingOn(), ...(commOf === undefined ? {} : { commOf }) });
  const untrack = ctl.track?.(reader);
  return {
    read: (size) => reader.read(Math.max(1, size)),
    close: () => {
      reader.close();
      untrack?.();
    },
  };
}

/**
 * per_cpu/cpuN/trace_pipe_raw: each read is one page as a latin1 string (one char per byte). It
 * blocks until a whole page is committed; with tracing off it also hands out the filling page.
 */
function rawOps(ctl: TraceControl, cpu: number): OpenOps {
  let closed = false;
  // Every blocked read of this open file (threads sharing the fd may block in read() together).
  const waiting = new Set<{ readonly word: Int32Array; readonly ring: RingBuffer }>();
  const interrupt = (): void => {
    for (const w of waiting) {
      Atomics.store(w.word, 0, 1); // publish: cancel, then kick
      w.ring.wakeReaders(cpu);
    }
  };
  const close = (): void => {
    closed = true;
    interrupt();
  };
  const untrack = ctl.track?.({ close, interrupt });
  return {
    read: async (size) => {
      for (;;) {
        if (closed) return '';
        const ring = ctl.ring();
        const S = ring.params.subbufSize;
        if (size < S) throw kerr('EINVAL', 'read', `per_cpu/cpu${cpu}/trace_pipe_raw`, `read whole pages: size must be ≥ ${S}`);
        // A whole page when one is ready; the filling page only once tracing is off (nothing more comes).
        const page = ring.consumePage(cpu) ?? (ctl.tracingOn() ? null : ring.consumePage(cpu, { partial: true }));
        if (page !== null) return Buffer.from(page.bytes.buffer, page.bytes.byteOffset, page.bytes.byteLength).toString('latin1');
        const me = { word: new Int32Array(new SharedArrayBuffer(4)), ring };
        waiting.add(me);
        try {
          await ring.waitForDataAsync(cpu, { watermarkPages: ctl.tracingOn() ? 1 : 0, cancel: { view: me.word, index: 0 } }); // 'cancelled': closed, resized or tracing turned off
        } finally {
          waiting.delete(me);
        }
      }
    },
    close: () => {
      close();
      untrack?.();
    },
  };
}

/** Register the trace buffer files on `fs`. */
export function addTraceFiles(fs: Tracefs, ctl: TraceControl): void {
  const cpus = ctl.ring().params.cpus;
  fs.add('trace', {
    mode: 'rw',
    read: () => traceText(ctl),
    write: () => ctl.clear(), // `echo > trace` (and open O_TRUNC) empties the buffer
  });
  fs.add('trace_pipe', { mode: 'r', open: () => pipeOps(ctl) });
  fs.add('trace_marker', {
    mode: 'w',
    write: (data) => {
      writeMarker(ctl, 0, data);
    },
    open: (opener) => ({
      write: (data) => writeMarker(ctl, opener.pid, data),
      close: () => {},
    }),
  });
  fs.add('buffer_size_kb', {
    mode: 'rw',
    read: () => `${ctl.bufferSizeKb()}\n`,
    write: (data) => ctl.resize(parseUnsigned(data, { min: 1, max: 2 ** 21 }, { path: 'buffer_size_kb' })),
  });
  fs.add('buffer_total_size_kb', { mode: 'r', read: () => `${ctl.bufferSizeKb() * ctl.ring().params.cpus}\n` });
  for (let c = 0; c < cpus; c++) {
    fs.add(`per_cpu/cpu${c}/trace_pipe_raw`, { mode: 'r', open: () => rawOps(ctl, c) });
    fs.add(`per_cpu/cpu${c}/stats`, { mode: 'r', read: () => formatStats(ctl.ring().stats(c)) });
  }
}
