// Test program for a lab booted with uintr: false: every uintr syscall and instruction is EOPNOTSUPP.
// Exit 0, or 10 + the first failed check.
import type { TaskContext } from '../../task/ctx.js';
import { Checks, errOf } from './uintr-lib.js';

export default function main(ctx: TaskContext): number {
  const c = new Checks();
  c.eq('register_handler', errOf(() => ctx.uintr_register_handler(() => {})), 'EOPNOTSUPP');
  c.eq('unregister_handler', errOf(() => ctx.uintr_unregister_handler()), 'EOPNOTSUPP');
  c.eq('create_fd', errOf(() => ctx.uintr_create_fd(0)), 'EOPNOTSUPP');
  c.eq('register_sender', errOf(() => ctx.uintr_register_sender(3)), 'EOPNOTSUPP');
  c.eq('unregister_sender', errOf(() => ctx.uintr_unregister_sender(0)), 'EOPNOTSUPP');
  c.eq('uintr_wait', errOf(() => ctx.uintr_wait(1000)), 'EOPNOTSUPP');
  c.eq('senduipi', errOf(() => ctx.senduipi(0)), 'EOPNOTSUPP');
  c.eq('clui', errOf(() => ctx.clui()), 'EOPNOTSUPP');
  c.eq('stui', errOf(() => ctx.stui()), 'EOPNOTSUPP');
  c.eq('testui', errOf(() => ctx.testui()), 'EOPNOTSUPP');
  c.eq('uintr_poll', errOf(() => ctx.uintr_poll()), 'EOPNOTSUPP');
  c.eq('other syscalls still work', errOf(() => ctx.getpid()), 'ok');
  if (c.failed.length > 0) process.stderr.write(`uintr-disabled: ${c.failed.join('; ')}\n`);
  return c.code;
}
