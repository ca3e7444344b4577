// Claim: ioctl(2) on an fd that is not open is EBADF (not ENOTTY), on an open tracefs file ENOTTY;
// write(2) on an open perf fd is EINVAL (perf has no write op), on a closed one EBADF; a perf ioctl
// on an open perf fd still works.
import { describe, expect, it } from 'vitest';
import { useLabs, within } from '../helpers/lab-fixture.js';

const PROGRAM = new URL('../../dist/test/fixtures/perf-fd-errnos.js', import.meta.url);

describe('ioctl and write errnos on perf and tracefs fds', () => {
  const boot = useLabs();

  it('every case fails with the kernel errno (exit 10+i names the first that did not)', async () => {
    const lab = await boot({ cpus: 1 });
    const t = await lab.spawn(PROGRAM);
    expect(await within(10_000, 'task exit', t.exited)).toEqual({ code: 0 });
  });
});
