// Claim: the event registry formats ftrace lines `<comm>-<pid> [cpu] secs.usecs: name: text`,
// keeps types 1..15 for built-ins, and refuses clashing or out-of-range registrations with typed errors.
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errno.js';
import {
  EVENT_PRINT, EVENT_TRACEPIPE, encodePrint, eventFormat, formatEventLine, formatTs, registerEvent,
} from '../../src/ringbuf/events.js';

describe('trace event formats', () => {
  it('prints timestamps as seconds.microseconds in 12 columns', () => {
    expect(formatTs(1_234_567_890_123)).toBe(' 1234.567890');
    expect(formatTs(5_000)).toBe('    0.000005');
    expect(formatTs(999)).toBe('    0.000000');
  });

  it('formats a print event as tracing_mark_write with the writer pid and comm', () => {
    const p = encodePrint(42, 'hello world\n');
    const line = formatEventLine(3, 2_000_001_000, EVENT_PRINT, p, { commOf: (pid) => (pid === 42 ? 'marker' : undefined) });
    expect(line).toBe(`${'marker'.padStart(16)}-42      [003]     2.000001: tracing_mark_write: hello world`);
  });

  it('prints <...> for an unknown pid and <idle>-0 for events without one', () => {
    expect(formatEventLine(0, 0, EVENT_PRINT, encodePrint(7, 'x'))).toMatch(/^ +<\.\.\.>-7 +\[000\] +0\.000000: tracing_mark_write: x$/);
    expect(formatEventLine(1, 0, EVENT_TRACEPIPE, new Uint8Array([1, 255]))).toMatch(/<idle>-0 +\[001\] +0\.000000: tracepipe: len=2 01ff$/);
    expect(formatEventLine(1, 0, 200, new Uint8Array([0xab]))).toMatch(/type200: len=1 ab$/);
  });

  it('cuts a print payload to the byte limit and survives invalid UTF-8', () => {
    expect(encodePrint(1, 'abcdef', 7).byteLength).toBe(7);
    const bad = new Uint8Array([1, 0, 0, 0, 0xff, 0xfe, 0x41]);
    expect(eventFormat(EVENT_PRINT)!.format(bad)).toMatch(/A$/);
  });

  it('rejects reserved, out-of-range and clashing types with typed errors', () => {
    const codeOf = (f: () => void): string | undefined => {
      try {
        f();
        return undefined;
      } catch (e) {
        expect(e).toBeInstanceOf(KernelError);
        return (e as KernelError).code;
      }
    };
    expect(codeOf(() => registerEvent({ type: 5, name: 'mine', format: () => '' }))).toBe('EINVAL');
    expect(codeOf(() => registerEvent({ type: 0, name: 'zero', format: () => '' }))).toBe('EINVAL');
    expect(codeOf(() => registerEvent({ type: 256, name: 'big', format: () => '' }))).toBe('EINVAL');
    registerEvent({ type: 77, name: 'user77', format: () => 'u' });
    expect(codeOf(() => registerEvent({ type: 77, name: 'other', format: () => '' }))).toBe('EEXIST');
    expect(formatEventLine(0, 0, 77, new Uint8Array(0))).toMatch(/user77: u$/);
  });
});
