// A supervising parent for test/kernel/supervise.test.ts: starts the children the test asks for,
// prints one JSON line with every pid (children and their own children), then waits to be killed
// or stops them all on SIGINT/SIGTERM.
import { Supervisor } from '../../../kernel/supervise.ts';

const supervisor = new Supervisor({ graceMs: Number(process.env.GRACE_MS ?? 1000) });
const order: string[] = [];
const stop = async () => {
  await supervisor.stop();
  // A pipe's write is asynchronous: exit only once it is out.
  process.stdout.write(`${JSON.stringify({ stopped: order })}\n`, () => process.exit(0));
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
// One child that leaves a grandchild in its group, one that ignores SIGTERM, one plain.
const specs = [
  {
    name: 'tree',
    command: '/bin/sh',
    args: ['-c', 'sleep 1000 & echo $! > "$PIDFILE"; wait'],
    env: { ...process.env, PIDFILE: `${process.env.WORK}/grandchild.pid` },
  },
  { name: 'stubborn', command: '/bin/sh', args: ['-c', 'trap "" TERM INT; while :; do sleep 0.2; done'], stopTimeoutMs: 500 },
  { name: 'plain', command: '/bin/sleep', args: ['1000'] },
];
const children = specs.map((spec) => supervisor.start(spec));
for (const child of children) void child.exited.then(() => order.push(child.name));
process.stdout.write(`${JSON.stringify({ parent: process.pid, children: children.map((c) => c.pid) })}\n`);
setInterval(() => undefined, 1000);
