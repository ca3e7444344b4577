// Public surface of the per-CPU trace ring buffer (what src/index.ts re-exports).
// Pure re-exports; see ring.ts for the facade and docs/ringbuf.md for the layout and ordering.
export { RingBuffer } from './ring.js';
export type { RingHandle, RingAttachOptions, RingWhich } from './ring.js';
export { Reservation } from './reservation.js';
export type { ReservationRef } from './reservation.js';
export { EventView, formatLost } from './event-view.js';
export type { TraceRecord } from './event-view.js';
export type { LostReason } from './cursor.js';
export type { RawPage, ConsumePageOptions } from './raw.js';
export { decodePage, RingFormatError } from './decode.js';
export type { DecodedPage, DecodedRecord } from './decode.js';
export { formatStats } from './stats.js';
export type { RingCpuStats } from './stats.js';
export type { RepairReport } from './repair.js';
export type { WaitForDataOptions } from './watermark.js';
export type { RingCreateOptions, RingMode, RingParams } from './layout.js';
export { MIN_SUBBUF, MAX_SUBBUF } from './layout.js';
export type { SnapshotEvent } from './iter.js';
export {
  registerEvent, eventFormat, eventFormats, formatEventLine, formatTs, encodePrint, utf8Text,
  EVENT_PRINT, EVENT_TIMERLAT_SAMPLE, EVENT_TRACEPIPE, MAX_BUILTIN_EVENT, PRINT_HDR,
} from './events.js';
export type { EventFormat, LineOptions } from './events.js';
export { TracePipeReader, tracePipeReadable, rawPipeReadable } from './pipe.js';
export type { RingSource, TracePipeOptions, RawPipeOptions } from './pipe.js';
export { TracepipeWriter, TracepipeChannel, TRACEPIPE_PAGES } from './tracepipe.js';
export type { TracepipeHandle } from './tracepipe.js';
export { readTraceFile, writeTraceFile, TraceFileError, TRACE_FILE_VERSION } from './tracefile.js';
export type { TraceFileHeader, TraceFileChunk, TraceFileWriter } from './tracefile.js';
export { formatTraceFile } from './tracefile-report.js';
