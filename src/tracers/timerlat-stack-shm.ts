// print_stack in user-space mode (trace_osnoise.c: timerlat_fd_read): the thread sample is taken
// in the fd holder's worker, which cannot see the CPU actor's RunContext, so the timer IRQ publishes
// the stack it saved (code words + args) in its per-CPU timerlat block, and the frame templates
// those codes name in the CPU's frame table (timerlat-layout.ts). The holder reads them after the
// completion kick of its read() and writes the `<stack trace>` event itself (a remote ring writer);
// the control plane reads the copy a stop kept in the stop record. Writers: one CPU actor per
// table and block; readers: the holder task, the control plane.
import type { RingBuffer } from '../ringbuf/index.js';
import { utf8Text } from '../ringbuf/events.js';
import { FRAMES_MAX, FRAMES_TEXT_BYTES, TLC, TLG, type TimerlatShm } from './timerlat-layout.js';
import { renderFrames, writeKernelStack } from './timerlat-stack-event.js';

const utf8enc = new TextEncoder();
const TEXT_AT_I32 = 1 + FRAMES_MAX; // i32 offset of the text area in a frame table

/**
 * CPU actor, timer IRQ (user mode, print_stack set): publish the stack saved for activation `seq`.
 * Why, and what it costs: up to 18 plain stores plus one compare per pair; a template is encoded
 * and copied only the first time one of its codes shows up (then one Atomics.store of the count).
 * No Atomics for the words themselves: the completion kick that follows publishes them.
 */
export function publishSavedStack(tl: TimerlatShm, cpu: number, seq: number, words: Int32Array, pairs: number, template: (code: number) => string): void {
  const i32 = tl.i32;
  const cb = tl.cpuBase(cpu);
  const fb = tl.framesBase(cpu);
  let top = -1;
  for (let i = 0; i < pairs; i++) top = Math.max(top, words[2 * i]!);
  if (top >= i32[fb]!) publishTemplates(tl, cpu, top, template); // single writer: this CPU
  for (let i = 0; i < 2 * pairs; i++) i32[cb + TLC.STACK_WORDS + i] = words[i]!;
  i32[cb + TLC.STACK_PAIRS] = pairs;
  i32[cb + TLC.STACK_SEQ] = seq; // published by the completion kick, with the words above
}

// Append templates up to code `top` (codes past FRAMES_MAX stay unnamed: they print `?`).
function publishTemplates(tl: TimerlatShm, cpu: number, top: number, template: (code: number) => string): void {
  const i32 = tl.i32;
  const fb = tl.framesBase(cpu);
  const textAt = (fb + TEXT_AT_I32) * 4;
  let n = i32[fb]!; // single writer: this CPU
  let end = n === 0 ? 0 : i32[fb + n]!;
  for (; n <= top && n < FRAMES_MAX; n++) {
    const bytes = utf8enc.encode(template(n));
    if (end + bytes.byteLength <= FRAMES_TEXT_BYTES) {
      tl.u8.set(bytes, textAt + end);
      end += bytes.byteLength;
    } // else published empty: the table is full
    i32[fb + 1 + n] = end;
  }
  Atomics.store(i32, fb, n); // publish: text and ends above
}

/** The template of `cpu`'s code word, as published ('?' when unknown). Any thread. */
export function sharedTemplate(tl: TimerlatShm, cpu: number, code: number): string {
  const fb = tl.framesBase(cpu);
  const n = Atomics.load(tl.i32, fb); // acquire: the text and ends of codes below n
  if (code < 1 || code >= n) return '?';
  const start = tl.i32[fb + code]!; // end of code - 1
  const end = tl.i32[fb + 1 + code]!;
  if (end <= start) return '?';
  const at = (fb + TEXT_AT_I32) * 4;
  return utf8Text(tl.u8.slice(at + start, at + end)); // slice: a private copy (TextDecoder and shared memory)
}

/**
 * Holder task, after its thread sample of activation `seq` crossed stop_tracing_total_us
 * (timerlat_fd_read: timerlat_dump_stack(latency) before stopping): write the stack the IRQ saved
 * when print_stack is set and at or below `latencyUs`. `pid` is the holder (the line names it).
 * Returns true when it dumped one (even if the ring dropped it: the ring counts that, and the
 * auto-analysis still shows it, as the CPU actor's dumps do). Allocates (frame strings): only on
 * this stop path.
 */
export function dumpSharedStack(tl: TimerlatShm, ring: RingBuffer, cpu: number, seq: number, tsNs: number, latencyUs: number, pid: number): boolean {
  const ps = tl.i32[tl.g + TLG.PRINT_STACK_US]!; // stale-ok: the knob as this dump sees it, as upstream
  const cb = tl.cpuBase(cpu);
  if (ps === 0 || ps > latencyUs || tl.i32[cb + TLC.STACK_SEQ] !== seq) return false; // ordered by the completion kick
  const frames = renderFrames(tl.i32, cb + TLC.STACK_WORDS, tl.i32[cb + TLC.STACK_PAIRS]!, (c) => sharedTemplate(tl, cpu, c));
  writeKernelStack(ring, cpu, tsNs, frames, pid);
  return true;
}

/** Control plane, after the stop record is complete: the stack a user-mode stop dumped, if any. */
export function stopStackFrames(tl: TimerlatShm): string[] | undefined {
  const pairs = tl.i32[tl.g + TLG.STOP_STACK_PAIRS]!; // acquire: read after STOP_HIT = 2
  if (pairs < 0) return undefined;
  const cpu = tl.i32[tl.g + TLG.STOP_STACK_CPU]!;
  return renderFrames(tl.i32, tl.g + TLG.STOP_STACK_WORDS, pairs, (c) => sharedTemplate(tl, cpu, c));
}
