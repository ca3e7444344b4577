// Receiver side of user interrupts: uintr_register_handler / uintr_unregister_handler / uintr_create_fd
// (arch/x86/kernel/uintr_core.c, uintr_fd.c), the clui/stui/testui/uiret instructions, delivery at an
// interrupt point (poll), and the scheduler hooks that set SN (switch_uintr_prepare/_return).
// Runs in the receiver's own thread, except deschedule/resume (its scheduler) and closeFd (any holder).
// Contract: the receiver is the single writer of UIF/NV/NDST/owner; senders touch its UPID only by RMW.
import {
  type UintrViews, upidWord, ON, SN, UW, LIFE_ALIVE, LIFE_REFS_MASK, LIFE_GEN_SHIFT, UPID_WORDS,
  U_STATUS, U_NV, U_NDST, U_LIFE, U_PIR_LO, U_PIR_HI, U_UIF, U_CANCEL, U_FD_SERIAL, U_OWNER, U_WAKER,
  WAKER_UPID, UINTR_VECTORS, UINTR_NOTIFICATION_VECTOR,
} from './layout.js';
import type { UintrFd, UintrHandler, Vector } from './fd.js';
import type { UintrFastPath } from './fastpath.js';

/** "This task has no UPID": what a ctx passes as `current` before registering. */
export const NO_UPID = -1;

/** Generation of a UPID life word. */
export function lifeGen(life: number): number {
  return life >>> LIFE_GEN_SHIFT;
}

/** True when UPID `upid` is registered (alive). */
export function isAlive(v: UintrViews, upid: number): boolean {
  if (!Number.isInteger(upid) || upid < 0 || upid >= v.receivers) return false;
  return (Atomics.load(v.i32, upidWord(v, upid, U_LIFE)) & LIFE_ALIVE) !== 0; // acquire: owner's register/unregister
}

/** Current generation of UPID `upid` (changes at every registration). */
export function upidGen(v: UintrViews, upid: number): number {
  return lifeGen(Atomics.load(v.i32, upidWord(v, upid, U_LIFE))); // stale-ok: a later re-register only makes it newer
}

/**
 * uintr_register_handler: claim a free UPID for the calling task. `current` is the task's UPID or NO_UPID.
 * A slot is free when it is dead and no sender's UITT still points at it (refcount 0), so a stale
 * UITT entry can never post into a new owner.
 */
export function registerHandler(v: UintrViews, flags: number, current: number, tid = 0): number | 'EINVAL' | 'EBUSY' | 'ENOMEM' {
  if (flags !== 0) return 'EINVAL';
  if (current !== NO_UPID && isAlive(v, current)) return 'EBUSY';
  const i32 = v.i32;
  for (let upid = 0; upid < v.receivers; upid++) {
    const at = upidWord(v, upid, U_LIFE);
    const life = Atomics.load(i32, at); // acquire: a candidate; the CAS below decides
    if ((life & (LIFE_ALIVE | LIFE_REFS_MASK)) !== 0) continue;
    const next = ((((life >>> LIFE_GEN_SHIFT) + 1) & 0xffff) << LIFE_GEN_SHIFT) | LIFE_ALIVE;
    if (Atomics.compareExchange(i32, at, life, next) !== life) continue; // RMW only: claim
    // No fd of the new generation exists yet, so no sender can reach these words while we reset them.
    const b = upidWord(v, upid, 0);
    Atomics.store(i32, b + U_PIR_LO, 0); // single writer (owner): drop stray posts of a past owner
    Atomics.store(i32, b + U_PIR_HI, 0); // single writer (owner)
    Atomics.store(i32, b + U_STATUS, 0); // single writer (owner): no sender can reach it yet
    Atomics.store(i32, b + U_UIF, 0); // single writer: UIF starts 0, stui() enables
    Atomics.store(i32, b + U_CANCEL, 0); // single writer (owner): a fresh receiver is not cancelled
    Atomics.store(i32, b + U_FD_SERIAL, 0); // single writer
    Atomics.store(i32, b + U_NV, UINTR_NOTIFICATION_VECTOR); // single writer
    Atomics.store(i32, b + U_NDST, -1); // single writer: CPU unknown until resume()
    Atomics.store(i32, b + U_OWNER, tid); // single writer
    Atomics.store(i32, b + U_WAKER, WAKER_UPID); // single writer: uintr_wait sets it at entry
    const vb = v.vecsBase + upid * UINTR_VECTORS;
    for (let vec = 0; vec < UINTR_VECTORS; vec++) Atomics.store(i32, vb + vec, 0); // single writer: no fds
    return upid;
  }
  return 'ENOMEM';
}

/**
 * uintr_unregister_handler: the UPID dies; senders' entries stop delivering silently. The slot stays
 * allocated while any UITT entry still points at it (the RFC keeps the UPID for the same reason).
 */
export function unregisterHandler(v: UintrViews, upid: number, flags: number): 0 | 'EINVAL' {
  if (flags !== 0 || !isAlive(v, upid)) return 'EINVAL';
  const i32 = v.i32;
  const b = upidWord(v, upid, 0);
  const vb = v.vecsBase + upid * UINTR_VECTORS;
  for (let vec = 0; vec < UINTR_VECTORS; vec++) Atomics.store(i32, vb + vec, 0); // single writer: every fd is closed
  Atomics.sub(i32, b + U_LIFE, LIFE_ALIVE); // RMW only: dead from here on; refs and gen kept
  Atomics.store(i32, b + U_PIR_LO, 0); // single writer (owner): late posts are cleared again at the next claim
  Atomics.store(i32, b + U_PIR_HI, 0); // single writer (owner)
  Atomics.store(i32, b + U_UIF, 0); // single writer
  Atomics.store(i32, b + U_OWNER, 0); // single writer
  return 0;
}

/** uintr_create_fd(vector, flags): an fd that posts `vector` to this receiver. */
export function createFd(v: UintrViews, upid: number, vector: number, flags: number): UintrFd | 'EINVAL' | 'ENOSPC' | 'EBUSY' {
  if (flags !== 0 || !Number.isInteger(vector) || !isAlive(v, upid)) return 'EINVAL';
  if (vector < 0 || vector >= UINTR_VECTORS) return 'ENOSPC';
  const i32 = v.i32;
  const serialAt = upidWord(v, upid, U_FD_SERIAL);
  const serial = ((Atomics.load(i32, serialAt) + 1) & 0x7fffffff) || 1; // single writer (owner): own counter
  const at = v.vecsBase + upid * UINTR_VECTORS + vector;
  if (Atomics.compareExchange(i32, at, 0, serial) !== 0) return 'EBUSY'; // RMW only: closeFd may race
  Atomics.store(i32, serialAt, serial); // single writer (owner)
  return { kind: 'uintr_fd', upid, gen: upidGen(v, upid), vector: vector as Vector, serial };
}

/** close(uintr_fd): frees the vector for a new fd; existing connections keep posting it. Any thread. */
export function closeFd(v: UintrViews, fd: UintrFd): 0 | 'EBADF' {
  if (!isFdOpen(v, fd)) return 'EBADF';
  const at = v.vecsBase + fd.upid * UINTR_VECTORS + fd.vector;
  return Atomics.compareExchange(v.i32, at, fd.serial, 0) === fd.serial ? 0 : 'EBADF'; // RMW only
}

/** True when `fd` still names a live receiver and an open vector. */
export function isFdOpen(v: UintrViews, fd: UintrFd): boolean {
  if (fd.upid < 0 || fd.upid >= v.receivers || fd.vector < 0 || fd.vector >= UINTR_VECTORS) return false;
  if (!isAlive(v, fd.upid) || upidGen(v, fd.upid) !== fd.gen) return false;
  return Atomics.load(v.i32, v.vecsBase + fd.upid * UINTR_VECTORS + fd.vector) === fd.serial; // acquire
}

/** clui: mask user interrupts (posts stay pending in PIR). */
export function clui(v: UintrViews, upid: number): void {
  Atomics.store(v.i32, upidWord(v, upid, U_UIF), 0); // single writer (receiver)
}

/** stui: unmask. The caller then polls, so pending vectors are taken at once. */
export function stui(v: UintrViews, upid: number): void {
  Atomics.store(v.i32, upidWord(v, upid, U_UIF), 1); // single writer (receiver)
}

/** testui: the current UIF. */
export function testui(v: UintrViews, upid: number): boolean {
  return Atomics.load(v.i32, upidWord(v, upid, U_UIF)) !== 0; // single writer (receiver): reads its own store
}

/** True when any vector is posted and not yet delivered. */
export function hasPending(v: UintrViews, upid: number): boolean {
  const b = v.upidBase + upid * UPID_WORDS;
  return (Atomics.load(v.i32, b + U_PIR_LO) | Atomics.load(v.i32, b + U_PIR_HI)) !== 0; // acquire: senders' or
}

/** Posted, undelivered vectors, highest first (diagnostics; does not take them). */
export function pendingVectors(v: UintrViews, upid: number): Vector[] {
  const b = v.upidBase + upid * UPID_WORDS;
  const hi = Atomics.load(v.i32, b + U_PIR_HI); // stale-ok: a snapshot
  const lo = Atomics.load(v.i32, b + U_PIR_LO); // stale-ok
  const out: Vector[] = [];
  for (let bit = 31; bit >= 0; bit--) if ((hi >>> bit) & 1) out.push((32 + bit) as Vector);
  for (let bit = 31; bit >= 0; bit--) if ((lo >>> bit) & 1) out.push(bit as Vector);
  return out;
}

/**
 * An interrupt point: if UIF is set, deliver pending vectors high to low, one handler call each.
 * The handler runs with UIF cleared (no re-entry unless it calls stui() and polls); its return is
 * uiret, which sets UIF again (also when the handler throws). Returns the number of deliveries.
 * Repeated posts of one vector since the last delivery are one PIR bit, hence one delivery.
 *
 * Why UIF is read and written here with plain accesses, and what it costs: during delivery UIF is
 * written and read only by the receiver's own thread (clui/stui/testui/poll run there; register and
 * unregister, possibly in the lab's control plane, happen before the registration call returns to it,
 * or after it is gone), so program order already orders every UIF access poll makes. An Atomics.load
 * costs ~7 ns and an Atomics.store ~9 ns on this V8 (measured) against < 1 ns plain; after uiret UIF
 * is 1 whatever the handler did, so the loop never re-reads it. Cost: another thread reading UIF
 * (none does; testui is the receiver's) could see it late.
 *
 * Why ON, not PIR, is re-checked after each handler, and what it costs. ON is cleared before the PIR
 * words are read, so any post whose `or` the receiver has not seen sets ON again after that clear
 * (sender: P `or` PIR, then C sets ON when it finds ON and SN clear). One status load after the handler
 * therefore answers "anything new?" where two PIR loads did; the bits still to deliver are known
 * locally: the word of the bit just taken comes back from its `Atomics.and` (fresh at the take), the
 * other from the last load. A bit someone else cleared meanwhile (unregister) is not delivered: the
 * `and`'s old value shows it was gone. Saves one Atomics op per delivery. What it costs: a post made
 * while the handler runs with SN set (a handler inside a blocking syscall's signal path) sets no ON,
 * so it waits for the next interrupt point (the blocking call's return polls), as any post racing
 * the start of this poll may: nothing is lost, PIR keeps it and every poll starts by loading PIR.
 *
 * Why the first PIR read is an RMW (`Atomics.or` with 0, which changes nothing) and not a load, and
 * what it costs. A post writes the UPID's cache line (the sender's `or` and CAS), so a receiver that
 * polls it with loads gets the line shared, then pays a second coherence transfer (shared to
 * exclusive) at its first write, the ON clear. An RMW read fetches the line exclusive at once: one
 * transfer per delivery instead of two, the raw spin's count, and every later access of this poll
 * (ON clear, bit take, UIF, the ON re-check) hits. Measured in one A/B in the same worker pair:
 * ~590 -> ~500 ns p50 per round trip; later batches put a load-polling variant level with it, as both
 * are bimodal (docs/uintr.md: the sender's P/C race). What it costs: an idle poll is a locked op
 * (~10 ns) instead of a load (~7 ns), and a polling receiver holds the line exclusive, so each post
 * pulls it back (it had to invalidate the receiver's shared copy anyway).
 */
export function poll(v: UintrViews, upid: number, handler: UintrHandler): number {
  const fast = v.fast;
  if (fast !== undefined && pollDepth === 0) return pollFast(v, fast, upid, handler);
  const i32 = v.i32;
  const b = v.upidBase + upid * UPID_WORDS;
  let hi = Atomics.or(i32, b + U_PIR_HI, 0); // acquire: an RMW read that takes the line exclusive (see above)
  let lo = Atomics.load(i32, b + U_PIR_LO); // acquire: same cache line, now a hit
  if ((hi | lo) === 0 || i32[b + U_UIF] === 0) return 0; // UIF masked: posts stay in PIR
  Atomics.and(i32, b + U_STATUS, ~ON); // RMW only: recognised; a post after this sets ON again
  let n = 0;
  for (;;) {
    let vec: number;
    let took: number;
    if (hi !== 0) {
      const bit = 1 << (31 - Math.clz32(hi));
      const old = Atomics.and(i32, b + U_PIR_HI, ~bit); // RMW only: senders may or other bits meanwhile
      took = old & bit;
      hi = old & ~bit;
      vec = 63 - Math.clz32(bit);
    } else {
      const bit = 1 << (31 - Math.clz32(lo));
      const old = Atomics.and(i32, b + U_PIR_LO, ~bit); // RMW only
      took = old & bit;
      lo = old & ~bit;
      vec = 31 - Math.clz32(bit);
    }
    if (took !== 0) {
      i32[b + U_UIF] = 0; // delivery clears UIF
      try {
        handler(vec as Vector);
      } finally {
        i32[b + U_UIF] = 1; // uiret: UIF is 1 again, whatever the handler did with clui/stui
      }
      n++;
    }
    if ((Atomics.load(i32, b + U_STATUS) & ON) !== 0) { // acquire: a post after our ON clear (see above)
      Atomics.and(i32, b + U_STATUS, ~ON); // RMW only: before the loads, so a later post sets it again
      hi = Atomics.load(i32, b + U_PIR_HI); // acquire: the new posts, highest first again
      lo = Atomics.load(i32, b + U_PIR_LO); // acquire
    }
    if ((hi | lo) === 0) return n;
  }
}

// Polls of this thread now delivering through the fast path: its instance keeps the PIR words in
// globals across the handler call, so a poll made from inside a handler (stui() then poll) takes
// the Atomics path above instead, which leaves them alone. Module state is per thread.
let pollDepth = 0;

/**
 * `poll` with its atomics in fastpath.wat: the same words, operations and order (pollBegin is the
 * RMW read through the first take, pollNext the ON re-check and the next take); the handler call and
 * the UIF writes stay here. Why, and what it costs: each Atomics builtin call is 9–12 ns on this V8
 * and a delivering poll makes five, against one instruction each in WebAssembly; a poll is one or
 * two calls instead (idle: 25 -> 7 ns on one thread; send + a delivering poll: ~100 -> ~23 ns).
 */
function pollFast(v: UintrViews, fast: UintrFastPath, upid: number, handler: UintrHandler): number {
  const i32 = v.i32;
  const b = v.upidBase + upid * UPID_WORDS;
  let r = fast.pollBegin(b << 2, i32[b + U_UIF]!); // UIF: single writer (this thread), see poll
  if (r === 0) return 0;
  let n = 0;
  pollDepth++;
  try {
    while (r !== 0) {
      if (r > 0) {
        i32[b + U_UIF] = 0; // delivery clears UIF
        try {
          handler((r - 1) as Vector);
        } finally {
          i32[b + U_UIF] = 1; // uiret
        }
        n++;
      }
      r = fast.pollNext(b << 2);
    }
  } finally {
    pollDepth--;
  }
  return n;
}

/**
 * Scheduler hook when the receiver is switched out (switch_uintr_prepare): set SN so senders post
 * without notifying, except while it is in uintr_wait, which must stay wakeable. Returns whether SN was set.
 */
export function deschedule(v: UintrViews, upid: number): boolean {
  const at = upidWord(v, upid, U_STATUS);
  for (;;) {
    const s = Atomics.load(v.i32, at); // acquire: UW is in this same word, so one CAS decides
    if ((s & UW) !== 0) return false;
    if (Atomics.compareExchange(v.i32, at, s, s | SN) === s) return true; // RMW only
  }
}

/**
 * Scheduler hook when the receiver runs again on `cpu` (switch_uintr_return): clear SN and set NDST.
 * Returns true when posts are pending; the caller then delivers them with poll() before user code runs.
 */
export function resume(v: UintrViews, upid: number, cpu: number): boolean {
  Atomics.store(v.i32, upidWord(v, upid, U_NDST), cpu); // single writer (scheduler of this task)
  Atomics.and(v.i32, upidWord(v, upid, U_STATUS), ~SN); // RMW only: senders CAS this word
  return hasPending(v, upid);
}

/** True while the receiver sits in uintr_wait (UW set). Any thread; diagnostics and tests. */
export function isWaiting(v: UintrViews, upid: number): boolean {
  return (Atomics.load(v.i32, upidWord(v, upid, U_STATUS)) & UW) !== 0; // stale-ok: may end right after
}
