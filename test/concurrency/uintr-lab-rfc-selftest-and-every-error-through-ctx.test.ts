// Claim: user interrupts work through the task ctx of real lab tasks (each a real worker thread): the
// RFC selftest (spin and blocking), every man-page error code with nothing changed after it, senduipi
// faults as synchronous SIGILL/SIGSEGV to the sender, and a lab booted with uintr: false answering
// EOPNOTSUPP everywhere. Programs: src/selftest/programs/uintr-*.ts (loaded from dist).
import { describe, expect, it } from 'vitest';
import { fixture, useLabs, within } from '../helpers/lab-fixture.js';

const BOUND_MS = 30_000;

describe('uintr through ctx: RFC selftest and errors', () => {
  const boot = useLabs();

  it('test_base_ipi: handler, fd, sender, senduipi → the handler sees vector 0', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-rfc'));
    expect(await within(BOUND_MS, 'uintr-rfc', t.exited), t.error).toEqual({ code: 0 });
  });

  it('test_blocking_ipi: a thread of the process sends while the receiver sits in uintr_wait', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-rfc'), { arg: { blocking: true } });
    expect(await within(BOUND_MS, 'uintr-rfc blocking', t.exited), t.error).toEqual({ code: 0 });
  });

  it('answers every man-page error (EINVAL, EFAULT, EBUSY, ENOSPC, EBADF, EOPNOTSUPP, EISCONN, ESHUTDOWN, full UITT) and changes nothing', async () => {
    const lab = await boot({ cpus: 2 });
    const t = await lab.spawn(fixture('uintr-errors'));
    expect(await within(BOUND_MS, 'uintr-errors', t.exited), t.error).toEqual({ code: 0 });
  });

  it.each([
    ['no-uitt', 'SIGILL'],
    ['bad-index', 'SIGSEGV'],
    ['freed-index', 'SIGSEGV'],
  ] as const)('senduipi fault %s kills the sender with %s when unhandled', async (kind, signal) => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(fixture('uintr-fault'), { arg: { kind } });
    expect(await within(BOUND_MS, `uintr-fault ${kind}`, t.exited), t.error).toEqual({ signal });
  });

  it.each([
    ['no-uitt', 4],
    ['bad-index', 11],
  ] as const)('senduipi fault %s is delivered synchronously to an installed handler', async (kind, signo) => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(fixture('uintr-fault'), { arg: { kind, handle: true } });
    expect(await within(BOUND_MS, `uintr-fault ${kind}`, t.exited), t.error).toEqual({ code: 40 + signo });
  });

  it('a lab booted with uintr: false answers EOPNOTSUPP to every uintr call, and other syscalls work', async () => {
    const lab = await boot({ cpus: 1, uintr: false });
    const t = await lab.spawn(fixture('uintr-disabled'));
    expect(await within(BOUND_MS, 'uintr-disabled', t.exited), t.error).toEqual({ code: 0 });
    expect(lab.uintr.enabled).toBe(false);
    expect(() => lab.uintr.getfd(t.pid, 3, t.pid)).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
  });
});
