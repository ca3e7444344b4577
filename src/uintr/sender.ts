// Sender side of user interrupts: uintr_register_sender / uintr_unregister_sender (uintr_fd.c,
// uintr_core.c: do_uintr_register_sender) and the SENDUIPI instruction over the sender's 4 KiB UITT.
// Runs in the sender's thread; the UITT has a single writer (its owner), read by senduipi.
// Contract: senduipi touches the receiver's UPID only by RMW and wakes a waiter directly (no control plane).
import { kick } from '../shm/wait.js';
import {
  type UintrViews, senderWord, uitteWord, upidWord, ON, SN, UW, LIFE_ALIVE, LIFE_REF, LIFE_REFS_MASK,
  LIFE_GEN_SHIFT, UPID_WORDS, U_STATUS, U_LIFE, U_PIR_LO, U_PIR_HI, U_WAKE, U_WAKER, WAKER_UPID, S_LIFE, S_UITT, S_COUNT,
  UITT_ENTRIES, UITTE_WORDS, E_FLAGS, E_UPID, E_GEN, E_SERIAL, E_VALID, E_VECTOR_SHIFT,
} from './layout.js';
import { isUintrFd, type UintrFd, type UintrSignal } from './fd.js';
import { isFdOpen } from './receiver.js';

/** "This task has no sender slot". */
export const NO_SENDER = -1;

/** Claim a sender slot (a task that may get a UITT). Its UITT starts absent: senduipi raises SIGILL. */
export function claimSender(v: UintrViews): number | 'ENOMEM' {
  const i32 = v.i32;
  for (let s = 0; s < v.senders; s++) {
    const at = senderWord(v, s, S_LIFE);
    const life = Atomics.load(i32, at); // acquire: a candidate; the CAS decides
    if ((life & 1) !== 0) continue;
    if (Atomics.compareExchange(i32, at, life, (((life >>> 1) + 1) << 1) | 1) !== life) continue; // RMW only: claim
    for (let i = 0; i < UITT_ENTRIES; i++) Atomics.store(i32, uitteWord(v, s, i, E_FLAGS), 0); // single writer (owner)
    Atomics.store(i32, senderWord(v, s, S_COUNT), 0); // single writer
    Atomics.store(i32, senderWord(v, s, S_UITT), 0); // single writer: no UITT until the first register_sender
    return s;
  }
  return 'ENOMEM';
}

/** The sender task exits: drop every connection, free the UITT and the slot. */
export function releaseSender(v: UintrViews, s: number): void {
  const i32 = v.i32;
  Atomics.store(i32, senderWord(v, s, S_UITT), 0); // single writer: senduipi now faults SIGILL
  for (let i = 0; i < UITT_ENTRIES; i++) dropEntry(v, s, i);
  Atomics.sub(i32, senderWord(v, s, S_LIFE), 1); // RMW only: slot free, generation kept
}

function dropEntry(v: UintrViews, s: number, i: number): boolean {
  const i32 = v.i32;
  const at = uitteWord(v, s, i, E_FLAGS);
  if ((Atomics.load(i32, at) & E_VALID) === 0) return false; // single writer (owner): own store
  Atomics.store(i32, at, 0); // single writer: invalid before the reference goes
  const upid = Atomics.load(i32, uitteWord(v, s, i, E_UPID)); // single writer: own store
  Atomics.sub(i32, upidWord(v, upid, U_LIFE), LIFE_REF); // RMW only: the UPID may be recycled once refs reach 0
  Atomics.sub(i32, senderWord(v, s, S_COUNT), 1); // single writer
  return true;
}

/**
 * uintr_register_sender(fd, flags): connect to the fd's receiver; returns the uipi_index for senduipi.
 * Checks in the kernel's order of meaning: flags, fd kind, fd open, receiver alive, already connected, room.
 */
export function registerSender(
  v: UintrViews,
  s: number,
  fd: unknown,
  flags: number,
): number | 'EINVAL' | 'EOPNOTSUPP' | 'EBADF' | 'ESHUTDOWN' | 'EISCONN' | 'ENOSPC' | 'ENOMEM' {
  if (flags !== 0) return 'EINVAL';
  if (!isUintrFd(fd)) return 'EOPNOTSUPP';
  if (fd.upid < 0 || fd.upid >= v.receivers || fd.vector < 0 || fd.vector >= 64) return 'EBADF';
  const i32 = v.i32;
  const lifeAt = upidWord(v, fd.upid, U_LIFE);
  const life0 = Atomics.load(i32, lifeAt); // acquire: receiver's register/unregister
  if ((life0 & LIFE_ALIVE) === 0 || life0 >>> LIFE_GEN_SHIFT !== fd.gen) return 'ESHUTDOWN';
  if (!isFdOpen(v, fd)) return 'EBADF';
  let free = -1;
  for (let i = 0; i < UITT_ENTRIES; i++) {
    const f = Atomics.load(i32, uitteWord(v, s, i, E_FLAGS)); // single writer (owner): own stores
    if ((f & E_VALID) === 0) {
      if (free < 0) free = i;
      continue;
    }
    if (sameTarget(v, s, i, fd)) return 'EISCONN';
  }
  if (free < 0) return 'ENOSPC';
  // Take a reference, atomically with "still alive, same generation", so the UPID cannot be recycled under us.
  for (;;) {
    const life = Atomics.load(i32, lifeAt); // acquire
    if ((life & LIFE_ALIVE) === 0 || life >>> LIFE_GEN_SHIFT !== fd.gen) return 'ESHUTDOWN';
    if ((life & LIFE_REFS_MASK) === LIFE_REFS_MASK) return 'ENOMEM';
    if (Atomics.compareExchange(i32, lifeAt, life, life + LIFE_REF) === life) break; // RMW only
  }
  Atomics.store(i32, uitteWord(v, s, free, E_UPID), fd.upid); // single writer (owner)
  Atomics.store(i32, uitteWord(v, s, free, E_GEN), fd.gen); // single writer
  Atomics.store(i32, uitteWord(v, s, free, E_SERIAL), fd.serial); // single writer
  Atomics.store(i32, uitteWord(v, s, free, E_FLAGS), E_VALID | (fd.vector << E_VECTOR_SHIFT)); // publish: entry words above
  Atomics.add(i32, senderWord(v, s, S_COUNT), 1); // single writer
  Atomics.store(i32, senderWord(v, s, S_UITT), 1); // publish: the UITT exists (RFC init_uitt on first use)
  return free;
}

function sameTarget(v: UintrViews, s: number, i: number, fd: UintrFd): boolean {
  const i32 = v.i32;
  const f = Atomics.load(i32, uitteWord(v, s, i, E_FLAGS)); // single writer (owner)
  return ((f >>> E_VECTOR_SHIFT) & 63) === fd.vector
    && Atomics.load(i32, uitteWord(v, s, i, E_UPID)) === fd.upid // single writer
    && Atomics.load(i32, uitteWord(v, s, i, E_GEN)) === fd.gen; // single writer
}

/** uintr_unregister_sender(uipi_index, flags): free the entry; senduipi on it then raises SIGSEGV. */
export function unregisterSender(v: UintrViews, s: number, index: number, flags: number): 0 | 'EINVAL' {
  if (flags !== 0 || s < 0 || s >= v.senders) return 'EINVAL';
  if (!Number.isInteger(index) || index < 0 || index >= UITT_ENTRIES) return 'EINVAL';
  return dropEntry(v, s, index) ? 0 : 'EINVAL';
}

/** Number of valid entries in sender `s`'s UITT. */
export function connections(v: UintrViews, s: number): number {
  return Atomics.load(v.i32, senderWord(v, s, S_COUNT)); // stale-ok: diagnostics
}

/**
 * SENDUIPI <index>: post the entry's vector in the receiver's PIR; if SN and ON are both clear, set ON,
 * and if the receiver sits in uintr_wait, wake it (kick its wake word) right here in the sender's thread.
 * No feedback: a dead receiver is skipped silently. Returns a fault instead of delivering when there
 * is no UITT (SIGILL) or the index is not a valid entry (SIGSEGV).
 */
export function senduipi(v: UintrViews, s: number, index: number): 0 | UintrSignal {
  // Why the UITT is read with plain loads, and what it costs: a sender's UITT has one writer, its
  // owner (register/unregister/release run in the owner's thread, or in the lab's control plane
  // before the RPC reply the owner waits for with Atomics), so program order or that reply already
  // orders every entry write before this read; nobody else writes it while the owner sends. Saves
  // one Atomics.load (~7 ns on this V8, measured) per post. "UITT present" is needed only to tell
  // SIGILL from SIGSEGV: an absent UITT has no valid entry (claim clears the entries before clearing
  // S_UITT, release clears S_UITT before dropping them), so it is read on the fault path only. Cost:
  // none for the owner; another thread sending on this slot (not allowed: a UintrSender and a task's
  // UITT belong to one thread) could read a stale entry.
  const i32 = v.i32;
  if (s < 0 || s >= v.senders) return 'SIGILL';
  if (!(index >= 0 && index < UITT_ENTRIES) || (index | 0) !== index) {
    return Atomics.load(i32, senderWord(v, s, S_UITT)) === 0 ? 'SIGILL' : 'SIGSEGV'; // acquire: UITT published
  }
  const e = v.uittBase + s * UITT_ENTRIES * UITTE_WORDS + index * UITTE_WORDS;
  const fast = v.fast;
  if (fast !== undefined) {
    // The same steps in fastpath.wat ("send"), one call: entry and life by plain loads, P, C.
    const r = fast.send(e << 2, v.upidBase << 2);
    if (r === 0) return 0;
    if (r === 1) {
      wakeWaiter(v, v.upidBase + i32[e + E_UPID]! * UPID_WORDS); // K: its CAS saw UW
      return 0;
    }
    return Atomics.load(i32, senderWord(v, s, S_UITT)) === 0 ? 'SIGILL' : 'SIGSEGV'; // acquire: -1, not a valid entry
  }
  const f = i32[e + E_FLAGS]!; // single writer (owner): see above
  if ((f & E_VALID) === 0) return Atomics.load(i32, senderWord(v, s, S_UITT)) === 0 ? 'SIGILL' : 'SIGSEGV'; // acquire
  const b = v.upidBase + i32[e + E_UPID]! * UPID_WORDS;
  // life is a plain read, stale-ok (~7 ns saved): our entry holds a reference, so the generation cannot
  // change while it is valid and the alive bit only goes from 1 to 0; a late 1 posts into a dead PIR,
  // exactly as a receiver dying right after the check would, and the next claim clears that PIR. It
  // sits alone in the UPID's second cache line, which nothing writes while the receiver lives, so
  // this read hits the sender's cache instead of pulling the line the receiver is polling.
  const life = i32[b + U_LIFE]!;
  if ((life & LIFE_ALIVE) === 0 || life >>> LIFE_GEN_SHIFT !== i32[e + E_GEN]) return 0;
  const vec = (f >>> E_VECTOR_SHIFT) & 63;
  if (vec >= 32) Atomics.or(i32, b + U_PIR_HI, 1 << (vec - 32)); // RMW only: post (P)
  else Atomics.or(i32, b + U_PIR_LO, 1 << vec); // RMW only: post (P)
  // C, the status step of the lost-wakeup argument in wait.ts: set ON only when SN and ON are clear.
  // The common case, a running receiver that took the last notification (status 0), is one CAS
  // instead of a load and a CAS; a failed CAS is a seq-cst read of status, after P, as the load was.
  let st = Atomics.compareExchange(i32, b + U_STATUS, 0, ON); // RMW only
  while (st !== 0) {
    if ((st & (SN | ON)) !== 0) return 0; // suppressed, or a notification is already outstanding
    const seen = Atomics.compareExchange(i32, b + U_STATUS, st, st | ON); // RMW only
    if (seen === st) {
      if ((st & UW) !== 0) wakeWaiter(v, b);
      return 0;
    }
    st = seen;
  }
  return 0;
}

/**
 * K: wake a receiver sleeping in uintr_wait (the caller's CAS saw UW). It sleeps on its UPID's wake
 * word, or, for a lab task, on its task WAKE word (U_WAKER), so that its signals wake it as well.
 */
function wakeWaiter(v: UintrViews, b: number): void {
  // acquire: stored before the receiver's entry CAS (E), which the caller's CAS read after
  const at = Atomics.load(v.i32, b + U_WAKER);
  if (at === WAKER_UPID) kick(v.i32, b + U_WAKE); // publish: wake word changes before notify
  else if (v.tasks !== undefined) kick(v.tasks, at); // publish: the task's WAKE word
  else throw new Error('uintr: a lab task waits on its WAKE word, but this sender has no process table attached');
}
