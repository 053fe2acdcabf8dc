import test from 'ava';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Supervisor } from '../../../kernel/supervise.ts';
import { waitFor } from '../../helpers/poll.ts';
import { alive, procState } from '../../helpers/procs.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const PARENT = fileURLToPath(new URL('./supervise-parent.ts', import.meta.url));

// A zombie is dead for our purpose: it holds no resources but its slot.
const gone = async (pid: number) => !alive(pid) || (await procState(pid)) === 'Z';

/** Starts the fixture parent (in a group of its own, as a shell would) and reads its pids. */
async function startParent(work: string) {
  const parent = spawn(process.execPath, ['--import', 'tsx', PARENT], {
    env: { ...process.env, WORK: work, GRACE_MS: '1000' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const lines = createInterface({ input: parent.stdout! });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, unknown>));
      parent.once('exit', (code, signal) => reject(new Error(`parent exited (${code ?? signal}) before its next line`)));
    });
  const first = (await next()) as { parent: number; children: number[] };
  const grandchild = await waitFor(
    'grandchild pid',
    async () => Number((await readFile(join(work, 'grandchild.pid'), 'utf8').catch(() => '')).trim()) || undefined,
  );
  return { parent, next, pids: [...first.children, grandchild] };
}

test('SIGKILL of the supervising parent leaves no child or grandchild alive', async (t) => {
  const work = await tempDir(t);
  const { parent, pids } = await startParent(work);
  t.true(pids.every(alive), 'children run before the kill');
  parent.kill('SIGKILL');
  // The watcher sends SIGTERM, waits its 1 s grace, then SIGKILLs the one that ignores SIGTERM.
  await waitFor('every child to be gone', async () => ((await Promise.all(pids.map(gone))).every(Boolean) ? true : undefined), 10_000, 100);
  t.pass();
});

test('SIGINT to the terminal group reaches the parent only; stop() ends children last-started first, escalating to SIGKILL', async (t) => {
  const work = await tempDir(t);
  const { parent, next, pids } = await startParent(work);
  // Ctrl-C in a terminal signals the whole foreground group: the parent's group.
  process.kill(-parent.pid!, 'SIGINT');
  const done = (await next()) as { stopped: string[] };
  t.deepEqual(done.stopped, ['plain', 'stubborn', 'tree']);
  await waitFor('every child to be gone', async () => ((await Promise.all(pids.map(gone))).every(Boolean) ? true : undefined), 5000, 50);
});

test('a child that exits on its own is reported, and its group is not signalled again', async (t) => {
  const exits: string[] = [];
  const supervisor = new Supervisor({ onUnexpectedExit: (child, code) => exits.push(`${child.name}:${code}`) });
  t.teardown(() => supervisor.stop());
  const child = supervisor.start({ name: 'short', command: '/bin/sh', args: ['-c', 'exit 3'] });
  t.deepEqual(await child.exited, { code: 3, signal: null });
  t.deepEqual(exits, ['short:3']);
  t.false(child.running);
  const missing = supervisor.start({ name: 'missing', command: '/nonexistent/program' });
  t.is((await missing.exited).code, 127);
});
