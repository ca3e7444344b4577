// The control plane's tracing state: the per-CPU trace RingBuffer (live + spare bank for swapCpu),
// tracing_on, the trace buffer's tracefs files (src/tracefs/files/trace.ts) and tracepipe channels.
// Control plane only; CPU actors and tasks attach the same ring through its handle and write to it
// directly. A resize replaces the ring: `onResize(handle)` must re-attach every CPU actor.
import { kerr } from '../errno.js';
import { clockEpochNs, clockNs } from '../shm/clock.js';
import { RingBuffer, type RingHandle } from '../ringbuf/index.js';
import { TracePipeReader } from '../ringbuf/pipe.js';
import { dataBytes } from '../ringbuf/layout.js';
import { formatEventLine } from '../ringbuf/events.js';
import { TracepipeChannel, type TracepipeHandle } from '../ringbuf/tracepipe.js';
import type { KernelShm } from '../kernel/layout.js';
import { type TraceControl, type TrackedReader, addTraceFiles } from '../tracefs/files/trace.js';
import type { Tracefs } from '../tracefs/tree.js';

import { registerTimerlatEvent } from '../tracers/timerlat-event.js';
import '../tracers/timerlat-stack-event.js'; // registers kernel_stack (<stack trace>) on load

// Re-exported for the CLI (which may import src/lab but not src/ringbuf).
export { readTraceFile, writeTraceFile, TraceFileError } from '../ringbuf/tracefile.js';

// The built-in tracers' event formats are known to every process that loads the lab's tracing,
// lab or not: `tracelab report` decodes timerlat_sample records of a file without booting a lab.
registerTimerlatEvent();
export { formatTraceFile } from '../ringbuf/tracefile-report.js';
export { eventFormats } from '../ringbuf/events.js';

/** The clock block of a trace file's header: stamp + epochNs = CLOCK_MONOTONIC ns (src/shm/clock.ts). */
export function traceFileClock(): { readonly name: 'tracelab-mono'; readonly unit: 'ns'; readonly epochNs: string } {
  return { name: 'tracelab-mono', unit: 'ns', epochNs: clockEpochNs().toString() };
}
export type { TraceFileHeader, TraceFileChunk, TraceFileWriter } from '../ringbuf/tracefile.js';

/** Default per-CPU buffer size, in KiB (rounded to a power-of-two number of pages by the ring). */
export const DEFAULT_BUFFER_KB = 1024;

/** Options of the lab's trace buffer. */
export interface TracingOptions {
  /** Per-CPU buffer size in KiB. @default 1024 */
  readonly bufferSizeKb?: number;
  /** Full-buffer behaviour. @default 'overwrite' (ftrace's default flight recorder) */
  readonly mode?: 'overwrite' | 'discard';
}

/** What the lab supplies to Tracing (all optional, so a bare Tracing works in unit tests). */
export interface TracingHooks {
  /** The ring was replaced (buffer_size_kb): post `{ type: 'ring.attach', ring: handle }` to every CPU actor. */
  onResize?(handle: RingHandle): void;
  /** A task's current CPU (trace_marker writes land there). @default 0 */
  cpuOf?(pid: number): number;
  /** A task's comm, for trace lines. @default `<...>` */
  commOf?(pid: number): string | undefined;
  /** current_tracer, for the `trace` header. @default 'nop' */
  tracer?(): string;
}

/** Saved pid → comm pairs, like ftrace's saved_cmdlines (bounded). */
const SAVED_CMDLINES = 128;

/** `lab.tracepipe`: named channels under tracepipe/ (seed 003). */
export interface TracepipeApi {
  /** Make tracepipe/NAME. EEXIST if it exists, EINVAL for a bad name. */
  create(name: string): TracepipeHandle;
  /** Remove it. EBUSY while a reader holds it open, ENOENT if unknown. */
  remove(name: string): void;
  /** Write one event from the control plane on `cpu`; false when missed (no reader or full). */
  write(name: string, cpu: number, data: Uint8Array | string): boolean;
  /** The handle a worker attaches with `TracepipeWriter.attach`. */
  handle(name: string): TracepipeHandle;
  /** Missed events per CPU. */
  missed(name: string): number[];
  /** Readers holding it open. */
  readers(name: string): number;
}

/** Tracing state of one lab. */
export class Tracing {
  readonly #k: KernelShm;
  readonly #fs: Tracefs;
  readonly #mode: 'overwrite' | 'discard';
  readonly #hooks: TracingHooks;
  readonly #readers = new Set<TrackedReader>();
  readonly #comms = new Map<number, string>();
  readonly #channels = new Map<string, TracepipeChannel>();
  #ring: RingBuffer;
  /** Named channels: `tracing.tracepipe.create('name')`. */
  readonly tracepipe: TracepipeApi;

  constructor(fs: Tracefs, k: KernelShm, opts: TracingOptions = {}, hooks: TracingHooks = {}) {
    this.#k = k;
    this.#fs = fs;
    this.#mode = opts.mode ?? 'overwrite';
    this.#hooks = hooks;
    this.#ring = prefault(RingBuffer.create({ cpus: k.cpus, bufferSizeKb: opts.bufferSizeKb ?? DEFAULT_BUFFER_KB, mode: this.#mode, spare: true }));
    Atomics.store(k.i32, k.tracingOnIndex, 1); // single writer (control plane)
    addTraceFiles(fs, this.#control());
    this.tracepipe = this.#tracepipeApi();
  }

  /** The live ring (the control plane's own attachment). */
  get ring(): RingBuffer {
    return this.#ring;
  }

  /** What CPU actors and tasks attach. */
  get handle(): RingHandle {
    return this.#ring.handle;
  }

  /** tracing_on. */
  isOn(): boolean {
    return Atomics.load(this.#k.i32, this.#k.tracingOnIndex) === 1;
  }

  /**
   * Turn recording on or off (writers check the word before each event). Turning it off wakes every
   * blocked reader, as trace.c rb_simple_write calls ring_buffer_wake_waiters(RING_BUFFER_ALL_CPUS):
   * trace_pipe_raw then hands out the filling page, trace_pipe ends a read (EOF) once it has read.
   */
  setOn(on: boolean): void {
    const was = this.isOn();
    Atomics.store(this.#k.i32, this.#k.tracingOnIndex, on ? 1 : 0); // single writer (control plane)
    if (was && !on) for (const r of this.#readers) r.interrupt(); // publish: the word is stored before the wake
  }

  /** Per-CPU size of the ring as allocated, in KiB. */
  bufferSizeKb(): number {
    const p = this.#ring.params;
    return (p.subbufsPerCpu * p.subbufSize) / 1024;
  }

  /** Replace the ring with one of `kb` KiB per CPU. EBUSY while tracing is on; EINVAL/E2BIG on bad sizes. */
  resize(kb: number): void {
    if (this.isOn()) throw kerr('EBUSY', 'write', 'buffer_size_kb', 'the buffer is in use: echo 0 > tracing_on first');
    const next = prefault(RingBuffer.create({ cpus: this.#k.cpus, bufferSizeKb: kb, mode: this.#mode, spare: true }));
    this.#ring = next;
    Atomics.add(this.#k.i32, this.#k.ringGenIndex, 1); // publish: tasks that attached the old ring fetch the new handle
    this.#hooks.onResize?.(next.handle);
    for (const r of this.#readers) r.interrupt(); // blocked readers move to the new ring
  }

  /** Drop every unread event written before now (`echo > trace`); later events stay. */
  clear(): void {
    const ring = this.#ring;
    const now = clockNs();
    for (let c = 0; c < ring.params.cpus; c++) {
      for (let v = ring.peekView(c); v !== null && (v.kind === 'lost' || v.tsNs <= now); v = ring.peekView(c)) ring.consumeView(c);
    }
  }

  /**
   * The flight recorder (ftrace's max-latency snapshot): swap `cpu`'s live buffer with its spare, so
   * writers go on into the other bank, and return the swapped-out events as trace lines. Writers
   * never block; a commit in flight lands in the bank it reserved in.
   */
  flightRecord(cpu: number): string[] {
    this.#ring.swapCpu(cpu);
    return this.#ring.snapshot(cpu, 'spare').map((e) => formatEventLine(e.cpu, e.tsNs, e.type, e.payload, { commOf: (pid) => this.#commOf(pid) }));
  }

  /** Exchange `cpu`'s live and spare buffers (the max-latency snapshot); returns the bank now live. */
  swapCpu(cpu: number): number {
    return this.#ring.swapCpu(cpu);
  }

  /** Remember a pid's comm for trace lines (saved_cmdlines). */
  saveComm(pid: number, comm: string): void {
    if (this.#comms.size >= SAVED_CMDLINES && !this.#comms.has(pid)) this.#comms.delete(this.#comms.keys().next().value!);
    this.#comms.set(pid, comm);
  }

  /** End every blocked trace_pipe / trace_pipe_raw / tracepipe read (lab shutdown). */
  shutdown(): void {
    for (const r of [...this.#readers]) r.close();
    this.#readers.clear();
  }

  #commOf(pid: number): string | undefined {
    const live = this.#hooks.commOf?.(pid);
    if (live !== undefined) this.saveComm(pid, live);
    return live ?? this.#comms.get(pid);
  }

  #track(r: TrackedReader): () => void {
    this.#readers.add(r);
    return () => this.#readers.delete(r);
  }

  #control(): TraceControl {
    return {
      ring: () => this.#ring,
      tracer: () => this.#hooks.tracer?.() ?? 'nop',
      tracingOn: () => this.isOn(),
      bufferSizeKb: () => this.bufferSizeKb(),
      resize: (kb) => this.resize(kb),
      clear: () => this.clear(),
      cpuOf: (pid) => {
        this.#commOf(pid); // save the comm while the task is alive
        return this.#hooks.cpuOf?.(pid) ?? 0;
      },
      commOf: (pid) => this.#commOf(pid),
      track: (r) => this.#track(r),
    };
  }

  #channel(name: string, syscall: string): TracepipeChannel {
    const ch = this.#channels.get(name);
    if (ch === undefined) throw kerr('ENOENT', syscall, `tracepipe/${name}`);
    return ch;
  }

  #tracepipeApi(): TracepipeApi {
    const enc = new TextEncoder();
    return {
      create: (name) => {
        if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name === '.' || name === '..') {
          throw kerr('EINVAL', 'tracepipe_create_channel', `tracepipe/${String(name)}`, 'name: 1..64 of A-Z a-z 0-9 _ . -');
        }
        if (this.#channels.has(name)) throw kerr('EEXIST', 'tracepipe_create_channel', `tracepipe/${name}`);
        const ch = new TracepipeChannel(name, this.#k.cpus);
        this.#channels.set(name, ch);
        this.#fs.add(`tracepipe/${name}`, {
          mode: 'r',
          open: () => {
            ch.addReader();
            const reader = new TracePipeReader(ch.ring);
            const untrack = this.#track(reader);
            let open = true;
            return {
              read: (size) => reader.read(Math.max(1, size)),
              close: () => {
                if (!open) return;
                open = false;
                reader.close();
                untrack();
                ch.dropReader();
              },
            };
          },
        });
        return ch.handle;
      },
      remove: (name) => {
        const ch = this.#channel(name, 'tracepipe_remove_channel');
        if (ch.readers() > 0) throw kerr('EBUSY', 'tracepipe_remove_channel', `tracepipe/${name}`, `${ch.readers()} reader(s) hold it open`);
        this.#channels.delete(name);
        this.#fs.remove(`tracepipe/${name}`);
      },
      write: (name, cpu, data) => this.#channel(name, 'tracepipe_event').writer.event(cpu, typeof data === 'string' ? enc.encode(data) : data),
      handle: (name) => this.#channel(name, 'open').handle,
      missed: (name) => this.#channel(name, 'read').missed(),
      readers: (name) => this.#channel(name, 'read').readers(),
    };
  }
}

/*
 * Touch every page of a new ring's data once, so the first event written to each page does not pay
 * a page fault on a CPU's hot path (measured: the first timerlat IRQ took ~0.5 ms cold, ~25 µs warm).
 * The data is all zeros already; writing zeros back only maps the pages. Costs ~1 ms per 8 MiB at boot.
 */
function prefault(ring: RingBuffer): RingBuffer {
  const h = ring.handle;
  const bytes = new Uint8Array(h.memory.buffer, 0, h.dataOffset + dataBytes(h.params)); // not the 64 KiB-page slack past the data
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = bytes[i]!; // touch, keep the value: create() already initialised the page headers
  return ring;
}
