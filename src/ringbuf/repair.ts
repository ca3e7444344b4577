// Repair after a dead writer: a task SIGKILLed between reserve and commit leaves a busy record
// that would hold its page incomplete forever (every later page turn onto it = commit overrun).
// Runs in the control plane once it knows the writer is dead. Kernel analogue: none (a kernel
// writer cannot die mid-event); LTTng's consumer reports such sub-buffers as "corrupted".
//
// Why this is sound, and what it costs: a writer stores its busy header (with its id) straight
// after its reserve CAS, and an advancer stores INIT_BY straight after its tail CAS, with no call
// and no loop back-edge in between. V8 honours Worker.terminate() only at those interrupt checks,
// so a killed writer has either no reservation or a recognisable one. Repair walks every page
// (O(buffer size)); it is meant for the rare kill, not the hot path.
import { kick } from '../shm/wait.js';
import { type RingCore, bankIdx, cpuIdx, pageAddr } from './core.js';
import {
  B_DEAD_BYTES, B_DEAD_EVENTS, B_TAIL, C_WAKE, OFF_MASK, P_COMMIT_REMOTE, P_INIT_BY, P_RES, PAGE_HDR,
  REC_HDR, ST_BUSY, ST_DEAD, ST_EMPTY, ST_SHIFT, TAG_MASK, TAG_SHIFT, recBytes, recState,
} from './layout.js';
import { openPage, retireUnread } from './page.js';

/** What a repair did. */
export interface RepairReport {
  /** Reservations of the dead writer turned into dead-writer padding. */
  readonly events: number;
  readonly bytes: number;
  /** Pages the dead writer had claimed (tail CAS) but not opened, opened on its behalf. */
  readonly pagesOpened: number;
}

/** Turn every pending reservation of `writerId` into padding and count it; open pages it left half-done. */
export function repairDeadWriter(c: RingCore, writerId: number, nowTsNs: number): RepairReport {
  const { d32, ctl } = c;
  let events = 0;
  let bytes = 0;
  let pagesOpened = 0;
  for (let cpu = 0; cpu < c.params.cpus; cpu++) {
    for (let bank = 0; bank < c.banks; bank++) {
      const bi = bankIdx(c, cpu, bank);
      const t = Atomics.load(ctl, bi + B_TAIL); // acquire
      const tailPage = pageAddr(c, cpu, bank, t & c.nMask);
      const tp = tailPage >> 2;
      if (Atomics.load(d32, tp + P_RES) >>> TAG_SHIFT !== (t & TAG_MASK) && d32[tp + P_INIT_BY] === writerId) { // acquire
        if (!c.discard) retireUnread(c, bi, tailPage, t);
        openPage(c, tailPage, t, nowTsNs);
        pagesOpened++;
      }
      for (let slot = 0; slot < c.params.subbufsPerCpu; slot++) {
        const page = pageAddr(c, cpu, bank, slot);
        const pi = page >> 2;
        const end = Atomics.load(d32, pi + P_RES) & OFF_MASK; // acquire
        for (let off = 0; off < end;) {
          const hi = (page + PAGE_HDR + off) >> 2;
          const w0 = Atomics.load(d32, hi); // acquire
          const st = recState(w0);
          if (st === ST_EMPTY) break; // a live writer between its CAS and its header store
          const len = recBytes(w0);
          if (off + len > end) break;
          if (st === ST_BUSY && d32[hi + 1] === writerId) {
            if (Atomics.compareExchange(d32, hi, w0, (len - REC_HDR) | (ST_DEAD << ST_SHIFT)) === w0) { // RMW only
              Atomics.add(d32, pi + P_COMMIT_REMOTE, len); // RMW only: the page can complete now
              Atomics.add(ctl, bi + B_DEAD_EVENTS, 1); // RMW only
              Atomics.add(ctl, bi + B_DEAD_BYTES, len); // RMW only
              events++;
              bytes += len;
            }
          }
          off += len;
        }
      }
    }
    kick(ctl, cpuIdx(c, cpu) + C_WAKE);
  }
  return { events, bytes, pagesOpened };
}
