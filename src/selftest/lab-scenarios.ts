// Self-test scenarios of the lab foundation (boot, IPIs, hrtimers, tasks, SIGKILL, migration,
// faults, bad input), for `tracelab selftest`. Control plane; each runs against a fresh lab.
import { KernelError } from '../errno.js';
import { Lab } from '../lab/lab.js';
import type { MigrateEvent } from '../lab/tasks.js';
import { program, type Scenario, type Suite } from './runner.js';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (e) {
    return e instanceof KernelError && e.code === code;
  }
}

const boot: Scenario[] = [1, 2, 8].map((cpus) => ({
  name: `boot_${cpus}_cpus`,
  lab: { cpus },
  async run({ lab, check }) {
    check(lab.cpuStats().every((s) => s.state === 'online'), 'every CPU online');
    check(lab.workers.cpu === cpus, `${cpus} CPU workers`);
  },
}));

const scenarios: Scenario[] = [
  ...boot,
  {
    name: 'ipi_round_trip_all_pairs',
    lab: { cpus: 4 },
    async run({ lab, check, log }) {
      let worst = 0;
      for (let a = 0; a < lab.cpus; a++) {
        for (let b = 0; b < lab.cpus; b++) {
          if (a === b) continue;
          const rtt = await lab.ipiRoundTrip(a, b, 3);
          check(rtt.length === 3, `cpu${a}→cpu${b}: 3 round trips`);
          worst = Math.max(worst, ...rtt);
        }
      }
      log(`worst round trip ${(worst / 1e3).toFixed(1)} us`);
    },
  },
  {
    name: 'hrtimers_in_order_never_early',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      const now = lab.now();
      const deadlines = [9, 3, 7, 1, 5].map((ms) => now + ms * 1e6);
      const fired = await lab.armTimers(1, deadlines);
      const order = fired.map((f) => f.deadlineNs);
      check(JSON.stringify(order) === JSON.stringify([...deadlines].sort((x, y) => x - y)), 'deadline order');
      check(fired.every((f) => f.firedNs >= f.deadlineNs), 'never early');
    },
  },
  {
    name: 'tasks_exit_codes',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      const tasks = await Promise.all(Array.from({ length: 20 }, (_, i) => lab.spawn(program('exit-code'), { arg: { code: i } })));
      const exits = await Promise.all(tasks.map((t) => t.exited));
      exits.forEach((st, i) => check('code' in st && st.code === i, `task ${i} exit code`));
    },
  },
  {
    name: 'task_syscalls',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      const t = await lab.spawn(program('syscalls'));
      const st = await t.exited;
      check('code' in st && st.code === 0, `syscalls program failed check ${JSON.stringify(st)} ${t.error ?? ''}`);
    },
  },
  {
    name: 'sigkill_blocked_and_spinning',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      const sleeper = await lab.spawn(program('sleeper'));
      const spinner = await lab.spawn(program('spinner'));
      await new Promise((r) => setTimeout(r, 200));
      await lab.kill(sleeper.pid, 'SIGKILL');
      await lab.kill(spinner.pid, 'SIGKILL');
      for (const t of [sleeper, spinner]) {
        const st = await t.exited;
        check('signal' in st && st.signal === 'SIGKILL', `pid ${t.pid} killed`);
      }
    },
  },
  {
    name: 'migration_hook_and_getcpu',
    lab: { cpus: 4 },
    async run({ lab, check }) {
      const seen: MigrateEvent[] = [];
      lab.on('sched_migrate_task', (ev) => seen.push(ev));
      const t = await lab.spawn(program('affinity'), { affinity: [0], arg: { cpu: 2 } });
      const st = await t.exited;
      check('code' in st && st.code === 2, 'sched_getcpu after sched_setaffinity');
      check(seen.length === 1 && seen[0]!.origCpu === 0 && seen[0]!.destCpu === 2, 'one sched_migrate_task 0→2');
    },
  },
  {
    name: 'throwing_module_exits_1',
    lab: { cpus: 1 },
    async run({ lab, check }) {
      const t = await lab.spawn(program('throws'));
      const st = await t.exited;
      check('code' in st && st.code === 1 && /deliberately thrown/.test(t.error ?? ''), 'exit 1 with the stack');
    },
  },
  {
    name: 'cpu_actor_crash_reported',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      const fault = new Promise((r) => lab.once('fault', r));
      lab.injectFault(1, 'exit');
      await fault;
      check(lab.cpuStats()[1]!.state === 'crashed', 'cpu1 crashed');
      check((await lab.ipiRoundTrip(0, 1).catch((e: unknown) => e)) instanceof KernelError, 'IPI to a crashed CPU fails with a typed error');
    },
  },
  {
    name: 'bad_input_typed_errors',
    lab: { cpus: 2 },
    async run({ lab, check }) {
      check(await rejectsWith(Lab.boot({ cpus: 0 }), 'EINVAL'), 'cpus 0 → EINVAL');
      check(await rejectsWith(Lab.boot({ cpus: 1025 }), 'EINVAL'), 'cpus 1025 → EINVAL');
      check(await rejectsWith(lab.spawn(program('exit-code'), { affinity: [5] }), 'EINVAL'), 'affinity to a missing CPU → EINVAL');
      check(await rejectsWith(lab.spawn(program('no-such-program')), 'ENOENT'), 'missing module → ENOENT');
      check(await rejectsWith(lab.kill(123456, 'SIGKILL'), 'ESRCH'), 'unknown pid → ESRCH');
      check(await rejectsWith(lab.tracefs.read('nope'), 'ENOENT'), 'unknown path → ENOENT');
      check(await rejectsWith(lab.tracefs.write('available_tracers', 'x'), 'EACCES'), 'read-only → EACCES');
      check(await rejectsWith(lab.tracefs.write('tracing_on', '7'), 'EINVAL'), 'bad value → EINVAL');
      check((await lab.tracefs.read('tracing_on')) === '1\n', 'tracing_on unchanged');
    },
  },
];

/** The lab foundation suite. */
export const labSuite: Suite = { name: 'lab', scenarios };
