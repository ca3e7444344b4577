// Test program: delivery rules on one receiver that also sends to itself. High-to-low order, one
// handler call per vector; clui masks (posts stay pending) until stui; repeated posts of a vector
// before delivery coalesce into one; no re-entry (a syscall inside the handler is not an interrupt
// point, UIF is clear) unless the handler calls stui. Exit 0, or 10 + the first failed check.
import type { TaskContext } from '../../task/ctx.js';
import { Checks } from './uintr-lib.js';

const VECTORS = [5, 63, 0, 32, 17, 31, 33, 1];

export default function main(ctx: TaskContext, arg: { order?: number[] } | undefined): number {
  const c = new Checks();
  const seen: number[] = [];
  let depth = 0;
  let maxDepth = 0;
  let nest: (() => void) | undefined;
  ctx.uintr_register_handler((v) => {
    depth++;
    maxDepth = Math.max(maxDepth, depth);
    seen.push(v);
    ctx.getpid(); // a syscall entry inside the handler: UIF is clear, nothing nests
    c.eq(`testui inside the handler (vector ${v})`, ctx.testui(), false); // delivery cleared UIF
    nest?.();
    depth--;
  });
  const idx = new Map<number, number>();
  for (const v of VECTORS) idx.set(v, ctx.uintr_register_sender(ctx.uintr_create_fd(v)));
  // UIF starts 0: everything stays pending.
  for (const v of arg?.order ?? VECTORS) ctx.senduipi(idx.get(v)!);
  c.eq('nothing before stui', ctx.uintr_poll() + seen.length, 0);
  ctx.stui();
  c.eq('high to low', seen.join(','), [...VECTORS].sort((a, b) => b - a).join(','));
  c.eq('no re-entry', maxDepth, 1);
  // Masking and coalescing.
  seen.length = 0;
  ctx.clui();
  c.eq('testui after clui', ctx.testui(), false);
  for (let k = 0; k < 10; k++) ctx.senduipi(idx.get(17)!);
  ctx.senduipi(idx.get(5)!);
  ctx.getpid();
  c.eq('masked: nothing delivered', ctx.uintr_poll() + seen.length, 0);
  ctx.stui();
  c.eq('coalesced: 17 once, then 5', seen.join(','), '17,5');
  c.eq('testui after stui', ctx.testui(), true);
  // Re-entry only when the handler unmasks: stui inside the handler takes the next vector nested.
  seen.length = 0;
  maxDepth = 0;
  nest = () => {
    if (seen.length === 1) {
      ctx.senduipi(idx.get(1)!);
      ctx.stui();
    }
  };
  ctx.senduipi(idx.get(63)!);
  ctx.uintr_poll();
  c.eq('nested after stui in the handler', seen.join(','), '63,1');
  c.eq('depth 2 only when unmasked', maxDepth, 2);
  if (c.failed.length > 0) process.stderr.write(`uintr-order: ${c.failed.join('; ')}\n`);
  return c.code;
}
