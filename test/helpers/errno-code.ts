// The errno name a promise rejects with ('ok' when it resolves); anything but a KernelError fails.
import { expect } from 'vitest';
import { KernelError } from '../../src/errno.js';

/** 'ok', or the `code` of the KernelError `p` rejects with. */
export async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(KernelError);
    return (e as KernelError).code;
  }
}
