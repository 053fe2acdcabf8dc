import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startLocalShop } from '../../../../shop/gocoffee/local.ts';
import { alive, descendants } from '../../../helpers/procs.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { binaries, listeners, orderStatus, placeOrder, upstreamSource } from './helpers.ts';

// Integration: real Debian postgres and rabbitmq-server, the real Go services, on loopback.
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

test.serial('the local shop serves on loopback only, fulfils an order, scales kitchen and exposes its state hooks', async (t) => {
  t.timeout(240_000);
  const shop = await startLocalShop({ binaries: await binaries(), replicas: { kitchen: 2 } });
  t.teardown(() => shop.stop());
  // Every process below this test's, but tsx's esbuild service.
  const pids: number[] = [];
  for (const pid of await descendants(process.pid)) if ((await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() !== 'esbuild') pids.push(pid);
  const ours = (await listeners()).filter((l) => pids.includes(l.pid));
  // postgres, epmd, rabbitmq (AMQP + distribution), product, counter and proxy: every one on 127.0.0.1.
  t.true(ours.length >= 7, `listeners found: ${JSON.stringify(ours)}`);
  // epmd adds ::1 to the address it is given; both are loopback.
  t.deepEqual(
    ours.filter((l) => l.address !== '127.0.0.1' && l.address !== '::1'),
    [],
    'nothing listens beyond loopback',
  );
  for (const port of [shop.postgres.port, shop.rabbitmq.port, shop.rabbitmq.distPort, shop.rabbitmq.epmdPort, Number(new URL(shop.url).port)]) {
    t.true(
      ours.some((l) => l.port === port),
      `port ${port} is ours`,
    );
  }
  t.is(shop.processes.filter((p) => p.service === 'kitchen').length, 2);

  const member = await placeOrder(shop.url);
  // One drink (3 s) and one croissant (7 s, 5 at a time in a kitchen): FULFILLED within seconds.
  await waitFor('the order to be FULFILLED', async () => ((await orderStatus(shop.url, member)) === 2 ? true : undefined), 60_000, 500);
  t.deepEqual(await shop.counts(), { orders: 1, fulfilled: 1, inProgress: 0 });
  const queues = await shop.queues();
  t.is(queues.find((q) => q.name.startsWith('kitchen'))?.consumers, 2, JSON.stringify(queues));
  t.true(queues.every((q) => q.depth === 0 && q.unacked === 0));
  await shop.truncate();
  t.deepEqual(await shop.counts(), { orders: 0, fulfilled: 0, inProgress: 0 });
  t.deepEqual((await shop.purge()).sort(), queues.map((q) => q.name).sort());

  // Scaling stops or starts kitchen processes and waits until the queue shows exactly that many consumers.
  const kitchens = () => shop.processes.filter((p) => p.service === 'kitchen');
  const kitchenConsumers = async () => (await shop.queues()).find((q) => q.name.startsWith('kitchen'))?.consumers;
  t.true((await shop.scale({ kitchen: 1 })) > 0);
  t.deepEqual(
    kitchens().map((p) => p.index),
    [1],
  );
  t.is(await kitchenConsumers(), 1);
  await shop.scale({ kitchen: 3 });
  t.deepEqual(
    kitchens().map((p) => p.index),
    [1, 3, 4],
    'a new process never reuses the index (and log file) of a stopped one',
  );
  t.is(await kitchenConsumers(), 3);
  await t.throwsAsync(shop.scale({ proxy: 2 }), { message: /replicas\.proxy: .*scales barista and kitchen only/ });

  const dir = shop.dir;
  await shop.stop();
  t.false(existsSync(dir), 'the throw-away folder is removed');
  // The supervisor's watcher ends a moment after its pipe closes.
  await waitFor('every process to stop', async () => ((await descendants(process.pid)).some((pid) => pids.includes(pid)) ? undefined : true), 5000, 100);
});

test.serial('a service that cannot scale is a config error naming it', async (t) => {
  const error = await t.throwsAsync(startLocalShop({ binaries: await binaries(), replicas: { counter: 2 } }));
  t.regex(error!.message, /replicas\.counter: .*scales barista and kitchen only/);
});

/** serve-real on a free port, as node runs it, or as a user types it (`npm run shop -- serve-real`: npm forwards signals too). */
async function serveReal(via: 'node' | 'npm' = 'node') {
  await binaries();
  const args = ['serve-real', '--port', '0', '--src', upstreamSource()];
  const [command, argv] = via === 'npm' ? ['npm', ['run', '--silent', 'shop', '--', ...args]] : [process.execPath, ['--import', 'tsx', 'shop/cli.ts', ...args]];
  const cli = spawn(command, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  cli.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: cli.stdout! }).once('line', resolve);
    cli.once('exit', (code) => reject(new Error(`serve-real exited ${code}: ${stderr}`)));
  });
  return { cli, url, stderr: () => stderr };
}

test.serial('serve-real prints the URL, and SIGKILL of it leaves no server or service running', async (t) => {
  t.timeout(240_000);
  const { cli, url } = await serveReal();
  t.regex(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.is((await fetch(`${url}/v1/api/item-types`)).status, 200);
  const children = await descendants(cli.pid!);
  t.true(children.length >= 6, `children: ${children.length}`);
  cli.kill('SIGKILL');
  await waitFor('every server and service of the killed serve-real to exit', () => (children.some(alive) ? undefined : true), 30_000, 200);
  t.pass();
});

test.serial("Ctrl-C (SIGINT to the terminal's group) stops `npm run shop -- serve-real` and everything it started, exit 0", async (t) => {
  t.timeout(240_000);
  // The group holds npm and serve-real: serve-real gets the terminal's SIGINT and npm's forwarded copy,
  // which on a busy machine comes a moment later (sent here 35 ms later, as a wrapper re-sends): one stop.
  const { cli, stderr } = await serveReal('npm');
  const children = await descendants(cli.pid!);
  let serve = 0;
  for (const pid of children) if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes('shop/cli.ts')) serve ||= pid;
  t.not(serve, 0, 'serve-real runs under npm');
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  process.kill(-cli.pid!, 'SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 35));
  process.kill(serve, 'SIGINT');
  t.is(await exited, 0, stderr());
  t.regex(stderr(), /stopping/);
  // The supervisor's watcher and tsx's esbuild service end a moment after their pipes close.
  await waitFor('no child to outlive a graceful stop', () => (children.some(alive) ? undefined : true), 5000, 100);
});
