// A ring's structured-clonable handle: allocate one (control plane), check one received from another
// thread before attaching, and lay out the pages of a new ring. Any thread for checkHandle; the
// allocating thread for the rest, before the handle is shared.
import { kerr } from '../errno.js';
import { LayoutError } from '../shm/layout.js';
import { isSharedMemory, memoryBuffer, sharedMemory } from '../shm/wasm.js';
import { type RingCore, bankIdx, pageAddr } from './core.js';
import {
  B_READ_SEQ, B_TAIL, CLAIM_CONSUMED, P_CLAIM, P_COMMIT_LOCAL, P_RES, RING_VERSION, SEQ_MASK, TAG_MASK, TAG_SHIFT,
  ctlLayout, dataBytes, dataOffset, validateParams, type RingMode, type RingParams,
} from './layout.js';
import { openPage } from './page.js';
import type { RingHandle } from './ring-types.js';

/** A zeroed ring memory with its control header and params published. */
export function allocateRing(params: RingParams): RingHandle {
  const layout = ctlLayout(params);
  const off = dataOffset(params);
  const memory = sharedMemory(off + dataBytes(params));
  const ctl = layout.allocateIn(memoryBuffer(memory)).i32;
  const pi = layout.index.params;
  ctl[pi] = params.cpus;
  ctl[pi + 1] = params.subbufSize;
  ctl[pi + 2] = params.subbufsPerCpu;
  ctl[pi + 3] = params.mode === 'discard' ? 1 : 0;
  ctl[pi + 4] = params.banks;
  return { kind: 'tracelab.ringbuf', version: RING_VERSION, params, memory, dataOffset: off };
}

/** The params of a handle made by allocateRing (possibly posted from another thread); KernelError EINVAL otherwise. */
export function checkHandle(handle: RingHandle): RingParams {
  const bad = (why: string): never => {
    throw kerr('EINVAL', 'attach', 'ringbuf', why);
  };
  if (handle === null || typeof handle !== 'object' || !isSharedMemory(handle.memory)) {
    bad('not a RingBuffer handle: expected { kind, version, params, memory, dataOffset } with a shared WebAssembly.Memory');
  }
  if (handle.version !== RING_VERSION) bad(`handle version ${String(handle.version)}, this build reads ${RING_VERSION}`);
  let params: RingParams;
  try {
    params = validateParams({ ...handle.params, spare: handle.params.banks === 2 });
  } catch {
    return bad('handle params are invalid');
  }
  try {
    const layout = ctlLayout(params);
    const views = layout.attach(memoryBuffer(handle.memory));
    const pi = layout.index.params;
    const mode: RingMode = views.i32[pi + 3] === 1 ? 'discard' : 'overwrite';
    if (views.i32[pi] !== params.cpus || views.i32[pi + 1] !== params.subbufSize || views.i32[pi + 2] !== params.subbufsPerCpu
      || mode !== params.mode || views.i32[pi + 4] !== params.banks) bad('handle params do not match the shared control region');
  } catch (err) {
    if (err instanceof LayoutError) bad(err.message);
    throw err;
  }
  const need = dataOffset(params) + dataBytes(params);
  if (handle.dataOffset !== dataOffset(params)) bad(`data offset is ${String(handle.dataOffset)}, geometry needs ${dataOffset(params)}`);
  if (memoryBuffer(handle.memory).byteLength < need) bad(`memory is ${memoryBuffer(handle.memory).byteLength} B, geometry needs ${need} B`);
  return params;
}

/** Slot 0 opens as sequence 0 stamped `now`; every other slot looks like a consumed page of sequence slot - N. */
export function initPages(c: RingCore, now: number): void {
  const n = c.params.subbufsPerCpu;
  for (let cpu = 0; cpu < c.params.cpus; cpu++) {
    for (let bank = 0; bank < c.banks; bank++) {
      openPage(c, pageAddr(c, cpu, bank, 0), 0, now);
      for (let slot = 1; slot < n; slot++) {
        const pi = pageAddr(c, cpu, bank, slot) >> 2;
        const s = (slot - n) & SEQ_MASK;
        c.d32[pi + P_COMMIT_LOCAL] = c.cap;
        c.d32[pi + P_CLAIM] = (s << 2) | CLAIM_CONSUMED;
        c.d32[pi + P_RES] = ((s & TAG_MASK) << TAG_SHIFT) | c.cap;
      }
      const bi = bankIdx(c, cpu, bank);
      c.ctl[bi + B_TAIL] = 0;
      c.ctl[bi + B_READ_SEQ] = 0;
    }
  }
}
