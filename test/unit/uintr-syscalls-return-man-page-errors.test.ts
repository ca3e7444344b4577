// Every uintr syscall's error codes (RFC man pages, DESIGN.md "Upstream facts" → uintr), in process,
// through both the core functions (errno names) and the standalone API (KernelError), and that a
// failed call changes nothing.
import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/errno.js';
import {
  UintrTable, UintrFault, allocateUintr, registerHandler, unregisterHandler, createFd, closeFd,
  claimSender, registerSender, unregisterSender, senduipi, uintrWait, connections, pendingVectors,
  NO_UPID, UITT_ENTRIES, type UintrFd,
} from '../../src/uintr/index.js';

const noop = (): void => {};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KernelError) return err.code;
    if (err instanceof UintrFault) return err.signal;
    throw err;
  }
  return undefined;
}

describe('uintr_register_handler', () => {
  it('returns EINVAL for non-zero flags and claims nothing', () => {
    const v = allocateUintr(1, 1);
    expect(registerHandler(v, 1, NO_UPID)).toBe('EINVAL');
    expect(registerHandler(v, 0, NO_UPID)).toBe(0);
  });
  it('returns EBUSY when the task already has a handler', () => {
    const v = allocateUintr(2, 1);
    const upid = registerHandler(v, 0, NO_UPID) as number;
    expect(registerHandler(v, 0, upid)).toBe('EBUSY');
  });
  it('returns ENOMEM when every UPID is taken', () => {
    const v = allocateUintr(1, 1);
    registerHandler(v, 0, NO_UPID);
    expect(registerHandler(v, 0, NO_UPID)).toBe('ENOMEM');
  });
  it('throws a KernelError with syscall name and negative errno from the standalone API', () => {
    const t = UintrTable.create({ receivers: 1, senders: 1 });
    try {
      t.registerReceiver(noop, 2);
      expect.fail('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(KernelError);
      const k = err as KernelError;
      expect(k.code).toBe('EINVAL');
      expect(k.syscall).toBe('uintr_register_handler');
      expect(k.errno).toBeLessThan(0);
    }
  });
});

describe('uintr_unregister_handler', () => {
  it('returns EINVAL for non-zero flags, and when no handler is registered', () => {
    const v = allocateUintr(1, 1);
    expect(unregisterHandler(v, 0, 0)).toBe('EINVAL');
    const upid = registerHandler(v, 0, NO_UPID) as number;
    expect(unregisterHandler(v, upid, 4)).toBe('EINVAL');
    expect(unregisterHandler(v, upid, 0)).toBe(0);
    expect(unregisterHandler(v, upid, 0)).toBe('EINVAL');
  });
});

describe('uintr_create_fd', () => {
  it('returns EINVAL without a handler and for non-zero flags', () => {
    const v = allocateUintr(1, 1);
    expect(createFd(v, 0, 1, 0)).toBe('EINVAL');
    const upid = registerHandler(v, 0, NO_UPID) as number;
    expect(createFd(v, upid, 1, 8)).toBe('EINVAL');
  });
  it('returns ENOSPC for a vector outside 0..63, EBUSY for a taken one', () => {
    const v = allocateUintr(1, 1);
    const upid = registerHandler(v, 0, NO_UPID) as number;
    expect(createFd(v, upid, 64, 0)).toBe('ENOSPC');
    expect(createFd(v, upid, -1, 0)).toBe('ENOSPC');
    expect(typeof createFd(v, upid, 63, 0)).toBe('object');
    expect(createFd(v, upid, 63, 0)).toBe('EBUSY');
    expect(typeof createFd(v, upid, 0, 0)).toBe('object');
  });
  it('gives the vector back on close, and a second close is EBADF', () => {
    const v = allocateUintr(1, 1);
    const upid = registerHandler(v, 0, NO_UPID) as number;
    const fd = createFd(v, upid, 5, 0) as UintrFd;
    expect(closeFd(v, fd)).toBe(0);
    expect(closeFd(v, fd)).toBe('EBADF');
    expect(typeof createFd(v, upid, 5, 0)).toBe('object');
  });
});

describe('uintr_register_sender', () => {
  function setup(): { t: UintrTable; fd: UintrFd } {
    const t = UintrTable.create({ receivers: 2, senders: 2 });
    const rx = t.registerReceiver(noop);
    return { t, fd: rx.createFd(3) };
  }
  it('returns EINVAL for flags, EOPNOTSUPP for a non-uintr fd, EBADF for a closed or out-of-range fd', () => {
    const { t, fd } = setup();
    const tx = t.registerSender();
    expect(codeOf(() => tx.connect(fd, 1))).toBe('EINVAL');
    expect(codeOf(() => tx.connect({ fd: 3 } as unknown as UintrFd))).toBe('EOPNOTSUPP');
    expect(codeOf(() => tx.connect(7 as unknown as UintrFd))).toBe('EOPNOTSUPP');
    expect(codeOf(() => tx.connect({ ...fd, upid: 99 }))).toBe('EBADF');
    expect(codeOf(() => tx.connect({ ...fd, serial: fd.serial + 1 }))).toBe('EBADF');
    expect(tx.connections()).toBe(0);
  });
  it('returns EISCONN for a second connection to the same fd', () => {
    const { t, fd } = setup();
    const tx = t.registerSender();
    expect(tx.connect(fd)).toBe(0);
    expect(codeOf(() => tx.connect(fd))).toBe('EISCONN');
    expect(tx.connections()).toBe(1);
  });
  it('returns ESHUTDOWN once the receiver is gone, even if its slot was registered again', () => {
    const t = UintrTable.create({ receivers: 1, senders: 1 });
    const rx = t.registerReceiver(noop);
    const fd = rx.createFd(3);
    rx.unregister();
    const tx = t.registerSender();
    expect(codeOf(() => tx.connect(fd))).toBe('ESHUTDOWN');
    const rx2 = t.registerReceiver(noop);
    expect(rx2.upid).toBe(fd.upid);
    expect(codeOf(() => tx.connect(fd))).toBe('ESHUTDOWN');
  });
  it('returns ENOSPC when the 256-entry UITT is full, and nothing changes', () => {
    const t = UintrTable.create({ receivers: 5, senders: 1 });
    const fds: UintrFd[] = [];
    for (let r = 0; r < 5; r++) {
      const rx = t.registerReceiver(noop);
      for (let vec = 0; vec < 64 && fds.length < UITT_ENTRIES + 1; vec++) fds.push(rx.createFd(vec));
    }
    const tx = t.registerSender();
    for (let i = 0; i < UITT_ENTRIES; i++) expect(tx.connect(fds[i]!)).toBe(i);
    expect(codeOf(() => tx.connect(fds[UITT_ENTRIES]!))).toBe('ENOSPC');
    expect(tx.connections()).toBe(UITT_ENTRIES);
    tx.disconnect(17);
    expect(tx.connect(fds[UITT_ENTRIES]!)).toBe(17);
  });
});

describe('uintr_unregister_sender', () => {
  it('returns EINVAL for flags, for an index never connected, and for one already disconnected', () => {
    const v = allocateUintr(1, 1);
    const upid = registerHandler(v, 0, NO_UPID) as number;
    const fd = createFd(v, upid, 2, 0) as UintrFd;
    const s = claimSender(v) as number;
    expect(unregisterSender(v, s, 0, 0)).toBe('EINVAL');
    const idx = registerSender(v, s, fd, 0) as number;
    expect(unregisterSender(v, s, idx, 1)).toBe('EINVAL');
    expect(unregisterSender(v, s, 256, 0)).toBe('EINVAL');
    expect(unregisterSender(v, s, idx, 0)).toBe(0);
    expect(unregisterSender(v, s, idx, 0)).toBe('EINVAL');
  });
});

describe('senduipi faults', () => {
  it('raises SIGILL without a UITT and SIGSEGV for an invalid or freed index; nothing is posted', () => {
    const v = allocateUintr(1, 1);
    const upid = registerHandler(v, 0, NO_UPID) as number;
    const fd = createFd(v, upid, 2, 0) as UintrFd;
    const s = claimSender(v) as number;
    expect(senduipi(v, s, 0)).toBe('SIGILL');
    const idx = registerSender(v, s, fd, 0) as number;
    expect(senduipi(v, s, idx + 1)).toBe('SIGSEGV');
    expect(senduipi(v, s, -1)).toBe('SIGSEGV');
    expect(senduipi(v, s, 256)).toBe('SIGSEGV');
    expect(senduipi(v, s, 0.5)).toBe('SIGSEGV');
    expect(pendingVectors(v, upid)).toEqual([]);
    unregisterSender(v, s, idx, 0);
    expect(senduipi(v, s, idx)).toBe('SIGSEGV');
    expect(connections(v, s)).toBe(0);
  });
  it('throws UintrFault from UintrSender.send', () => {
    const t = UintrTable.create({ receivers: 1, senders: 1 });
    const tx = t.registerSender();
    expect(codeOf(() => tx.send(0))).toBe('SIGILL');
  });
});

describe('uintr_wait', () => {
  it('returns EOPNOTSUPP when not a receiver and EINVAL for non-zero flags', () => {
    const v = allocateUintr(1, 1);
    expect(uintrWait(v, 0, noop, { deadlineNs: 0 })).toBe('EOPNOTSUPP');
    const upid = registerHandler(v, 0, NO_UPID) as number;
    expect(uintrWait(v, upid, noop, { flags: 1, deadlineNs: 0 })).toBe('EINVAL');
    expect(uintrWait(v, upid, noop, { deadlineNs: 0 })).toBe('timed-out');
  });
});
