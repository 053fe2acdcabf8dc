import test from 'ava';
import { execFile } from 'node:child_process';
import type Docker from 'dockerode';
import { engineAtSocket, type Engine } from '../../../../cluster/engine/engine.ts';
import { silentLogger } from '../../../../kernel/log.ts';
import { buildImages, type ImageName, type ImageRecord } from '../../../../shop/gocoffee/images.ts';
import { loadImages } from '../../../../shop/gocoffee/load.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { startTestbed, type RunningTestbed } from '../../../helpers/testbed.ts';
import { binaries, orderStatus, placeOrder } from './helpers.ts';

// Integration: our docker-archive images loaded into a real engine (a one-node testbed, id 7) with
// dockerode's loadImage; the Debian postgres and rabbitmq images and the six services run there
// as plain containers on a bridge network, and an order reaches FULFILLED.

let testbed: RunningTestbed;
let engine: Engine;
let amd64: ImageRecord[];
let arm: ImageRecord[];

test.before(async () => {
  testbed = await startTestbed({ id: 7, nodes: 1, swarm: false });
  engine = engineAtSocket(testbed.layout.nodes[0]!.socket, 'node1');
  amd64 = await buildImages({ arch: 'amd64', binaries: await binaries('amd64') }, silentLogger);
  // CI builds the arm/v7 binaries anyway (the qemu test); one arm/v7 image checks the label.
  arm = await buildImages({ arch: 'arm/v7', binaries: await binaries('arm/v7'), only: ['product'] }, silentLogger);
});

test.after.always(async () => {
  await testbed?.down();
});

const image = (records: ImageRecord[], name: ImageName) => records.find((r) => r.name === name)!;

function dockerCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['-H', `unix://${testbed.layout.nodes[0]!.socket}`, ...args], (error, stdout, stderr) =>
      error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim()),
    );
  });
}

test.serial("loadImages loads the archives; docker image inspect shows each image's real platform", async (t) => {
  const loaded = await loadImages(
    engine,
    [...amd64, ...arm].map((r) => r.path),
  );
  t.is(loaded.length, 9);
  t.true(
    loaded.every((l) => l.loaded.length >= 1),
    JSON.stringify(loaded.map((l) => l.loaded)),
  );
  for (const record of amd64) {
    t.is(await dockerCli(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}/{{.Variant}}', record.reference]), 'linux/amd64/', record.name);
    // The stable tag (`latest`) goes to the image loaded last: arm/v7 product was loaded after amd64's.
    const last = record.name === 'product' ? image(arm, 'product') : record;
    t.is(
      await dockerCli(['image', 'inspect', '--format', '{{.Id}}', record.stableReference]),
      last.imageId,
      `${record.name}: the stable tag is the image loaded last`,
    );
  }
  const product = image(arm, 'product');
  t.is(await dockerCli(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}/{{.Variant}}', product.reference]), 'linux/arm/v7');
  // Service images are small: a static binary, busybox, config and migrations.
  for (const name of ['proxy', 'product', 'counter', 'barista', 'kitchen', 'web'] as const)
    t.true(image(amd64, name).bytes < 25e6, `${name}: ${image(amd64, name).bytes} bytes`);
});

async function run(docker: Docker, name: string, ref: string, env: Record<string, string>, ports: number[] = []): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name,
    Image: ref,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: Object.fromEntries(ports.map((p) => [`${p}/tcp`, {}])),
    HostConfig: { NetworkMode: 'gocoffee', PortBindings: Object.fromEntries(ports.map((p) => [`${p}/tcp`, [{ HostPort: String(p) }]])) },
    NetworkingConfig: { EndpointsConfig: { gocoffee: { Aliases: [name] } } },
  });
  await container.start();
  return container;
}

function psql(host: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'psql',
      ['-h', host, '-p', '5432', '-U', 'postgres', '-d', 'shop', '-Atc', 'SELECT current_database()'],
      { env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '3' } },
      (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim())),
    );
  });
}

async function whoami(host: string, user: string, password: string): Promise<number | undefined> {
  try {
    const response = await fetch(`http://${host}:15672/api/whoami`, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      signal: AbortSignal.timeout(3000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

test.serial('postgres and rabbitmq images honour their variables; the six services fulfil an order against them', async (t) => {
  t.timeout(300_000);
  const docker = engine.docker;
  const host = testbed.layout.nodes[0]!.ip;
  await docker.createNetwork({ Name: 'gocoffee', Driver: 'bridge' });
  const pgPassword = globalThis.crypto.randomUUID();
  const mqPassword = globalThis.crypto.randomUUID();
  await run(docker, 'postgres', image(amd64, 'postgres').reference, { POSTGRES_PASSWORD: pgPassword, POSTGRES_DB: 'shop' }, [5432]);
  await run(docker, 'rabbitmq', image(amd64, 'rabbitmq').reference, { RABBITMQ_DEFAULT_USER: 'coffee', RABBITMQ_DEFAULT_PASS: mqPassword }, [5672, 15672]);

  t.is(await waitFor('postgres to accept the password', () => psql(host, pgPassword).catch(() => undefined), 60_000, 500), 'shop');
  await t.throwsAsync(psql(host, 'wrong'), { message: /password authentication failed/ });
  t.is(
    await waitFor('rabbitmq to accept its default user', async () => ((await whoami(host, 'coffee', mqPassword)) === 200 ? 200 : undefined), 90_000, 500),
    200,
  );
  t.is(await whoami(host, 'coffee', 'wrong'), 401);
  t.is(await whoami(host, 'guest', 'guest'), 401, 'no guest account beside the one the variables create');

  const database = {
    IN_DOCKER: 'true',
    PG_URL: `postgres://postgres:${pgPassword}@postgres:5432/postgres`,
    PG_DSN_URL: `host=postgres user=postgres password=${pgPassword} dbname=postgres sslmode=disable`,
    RABBITMQ_URL: `amqp://coffee:${mqPassword}@rabbitmq:5672/`,
  };
  await run(docker, 'product', image(amd64, 'product').reference, { APP_NAME: 'product-service' });
  await run(docker, 'counter', image(amd64, 'counter').reference, { ...database, APP_NAME: 'counter-service', PRODUCT_CLIENT_URL: 'product:5001' });
  await run(docker, 'barista', image(amd64, 'barista').reference, { ...database, APP_NAME: 'barista-service' });
  await run(docker, 'kitchen', image(amd64, 'kitchen').reference, { ...database, APP_NAME: 'kitchen-service' });
  await run(
    docker,
    'proxy',
    image(amd64, 'proxy').reference,
    { APP_NAME: 'proxy-service', GRPC_PRODUCT_HOST: 'product', GRPC_PRODUCT_PORT: '5001', GRPC_COUNTER_HOST: 'counter', GRPC_COUNTER_PORT: '5002' },
    [5000],
  );
  await run(docker, 'web', image(amd64, 'web').reference, { REVERSE_PROXY_URL: `http://${host}:5000`, WEB_PORT: '8888' }, [8888]);
  const url = `http://${host}:5000`;
  await waitFor(
    'the API to serve',
    async () =>
      (await fetch(`${url}/v1/api/item-types`).then(
        (r) => r.status,
        () => 0,
      )) === 200
        ? true
        : undefined,
    60_000,
    500,
  );
  // The web container starts last and may not be listening yet when the API answers.
  const web = await waitFor(
    'the web service to serve',
    () =>
      fetch(`http://${host}:8888/reverse-proxy-url`).then(
        (r) => (r.ok ? (r.json() as Promise<unknown>) : undefined),
        () => undefined,
      ),
    60_000,
    500,
  );
  t.deepEqual(web, { url });
  // The kitchen declares its queue a few seconds after start (upstream sleeps 3 s); an order
  // placed before is dropped, so wait for both consumers to be on their queues.
  await waitFor(
    'barista and kitchen consumers',
    async () => {
      const response = await fetch(`http://${host}:15672/api/queues`, {
        headers: { authorization: `Basic ${Buffer.from(`coffee:${mqPassword}`).toString('base64')}` },
      }).catch(() => undefined);
      const queues = response?.ok ? ((await response.json()) as Array<{ name: string; consumers: number }>) : [];
      return ['barista', 'kitchen'].every((prefix) => queues.some((q) => q.name.startsWith(prefix) && q.consumers > 0)) ? true : undefined;
    },
    60_000,
    500,
  );
  const member = await placeOrder(url);
  await waitFor('the order to be FULFILLED', async () => ((await orderStatus(url, member)) === 2 ? true : undefined), 60_000, 500);
  t.pass();
});
