import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { EnvironmentError, errorMessage } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { engineAtSocket, type Engine } from '../engine/engine.ts';
import { formSwarm } from '../swarm/form.ts';
import { BUSYBOX_IMAGE, SHOP_IMAGE, SHOP_IMAGE_CHANGES, busyboxRootfsTar, copyImage, importRootfs, shopRootfsTar } from './images.ts';
import { testbedLayout, type TestbedLayout, type TestbedOptions } from './layout.ts';
import { createNetwork, removeNetwork } from './network.ts';
import { alive, startEngine, startSshd, stopNode, waitForEngine, writeThermalFixture, type Binaries } from './nodes.ts';
import { poll } from '../../kernel/poll.ts';
import { requireBinary, requireRoot, run } from './sh.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function binaries(): Binaries & { tar: string; busybox: string; ldd: string; cp: string } {
  return {
    ip: requireBinary('ip', 'iproute2'),
    nsenter: requireBinary('nsenter', 'util-linux'),
    unshare: requireBinary('unshare', 'util-linux'),
    dockerd: requireBinary('dockerd', 'docker.io'),
    sshd: requireBinary('sshd', 'openssh-server'),
    sshKeygen: requireBinary('ssh-keygen', 'openssh-client'),
    tar: requireBinary('tar', 'tar'),
    busybox: requireBinary('busybox', 'busybox-static'),
    ldd: requireBinary('ldd', 'libc-bin'),
    cp: requireBinary('cp', 'coreutils'),
  };
}

export interface TestbedUp {
  layout: TestbedLayout;
  inventoryPath: string;
  durationMs: number;
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function testbedEngines(layout: TestbedLayout): Engine[] {
  return layout.nodes.map((node) => engineAtSocket(node.socket, node.name));
}

/**
 * Brings up N engines in their own namespaces, joined in one swarm, each with an sshd and a
 * fixture thermal tree; loads the test images into every engine; writes an inventory. Leftovers
 * of an earlier testbed with the same id are removed first. On failure everything is torn down.
 */
export async function testbedUp(options: TestbedOptions, log: Logger): Promise<TestbedUp> {
  requireRoot();
  if (options.managers < 1 || options.managers > options.nodes) throw new EnvironmentError(`managers must be 1–${options.nodes}, got ${options.managers}`);
  const bin = binaries();
  const layout = testbedLayout(options);
  const started = Date.now();
  if (existsSync(layout.options.dir) || existsSync(`/run/netns/${layout.bridgeNetns}`)) {
    log.info(`removing leftovers of testbed ${options.id}`);
    await testbedDown(options, log);
  }
  try {
    await mkdir(options.dir, { recursive: true });
    await writeFile(layout.statePath, JSON.stringify({ options, startedAt: new Date().toISOString() }, null, 2));
    await run(bin.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', `testbed-${options.id}`, '-f', layout.clientKey]);
    log.progress('network');
    await createNetwork(layout, bin.ip);
    log.progress(`starting ${layout.nodes.length} engines`);
    for (const node of layout.nodes) {
      await writeThermalFixture(node);
      await startEngine(node, bin);
    }
    await Promise.all(layout.nodes.map((node) => waitForEngine(node)));
    for (const node of layout.nodes) await startSshd(layout, node, bin);

    const engines = testbedEngines(layout);
    const members = layout.nodes.map((node, index) => ({ engine: engines[index]!, name: node.name, addr: node.ip, role: node.role }));
    if (options.swarm !== false) {
      log.progress('forming the swarm');
      await formSwarm(members[0]!, members.slice(1), (message) => log.progress(message));
    }

    log.progress(`loading ${BUSYBOX_IMAGE}`);
    await mkdir(layout.imagesDir, { recursive: true });
    const rootfs = await busyboxRootfsTar(layout.imagesDir, bin.busybox, bin.tar);
    await importRootfs(engines[0]!, rootfs, BUSYBOX_IMAGE, ['ENV PATH=/bin', 'CMD ["sh"]']);
    await copyImage(engines[0]!, engines.slice(1), BUSYBOX_IMAGE, layout.imagesDir);
    if (options.shopImage !== false) {
      log.progress(`building ${SHOP_IMAGE} from this checkout`);
      const shopTar = await shopRootfsTar(layout.imagesDir, REPO_ROOT, { tar: bin.tar, node: process.execPath, ldd: bin.ldd, cp: bin.cp });
      await importRootfs(engines[0]!, shopTar, SHOP_IMAGE, SHOP_IMAGE_CHANGES);
      await copyImage(engines[0]!, engines.slice(1), SHOP_IMAGE, layout.imagesDir);
      // The build folders are large and no longer needed once every engine has the image.
      await rm(layout.imagesDir, { recursive: true, force: true });
    }

    await Promise.all(
      layout.nodes.map((node) =>
        poll(`sshd of ${node.name} (log: ${join(node.dir, 'sshd.log')})`, 10_000, async () => ((await tcpOpen(node.ip, 22)) ? true : undefined)),
      ),
    );
    await writeKnownHosts(layout);
    await writeFile(layout.inventoryPath, testbedInventoryYaml(layout));
    if (options.swarm !== false) await waitForSwarmReady(engines[0]!, layout.nodes.length);
    log.done();
    return { layout, inventoryPath: layout.inventoryPath, durationMs: Date.now() - started };
  } catch (error) {
    log.done();
    log.warn(`testbed up failed, tearing down: ${errorMessage(error)}`);
    await testbedDown(options, log).catch(() => undefined);
    throw error;
  }
}

async function waitForSwarmReady(manager: Engine, count: number): Promise<void> {
  await poll(`${count} swarm nodes ready`, 30_000, async () => {
    const nodes = (await manager.docker.listNodes()) as Array<{ Status?: { State?: string } }>;
    return nodes.filter((node) => node.Status?.State === 'ready').length === count ? true : undefined;
  });
}

async function writeKnownHosts(layout: TestbedLayout): Promise<void> {
  const lines: string[] = [];
  for (const node of layout.nodes) {
    const [type, key] = (await readFile(join(node.dir, 'ssh_host_ed25519_key.pub'), 'utf8')).trim().split(/\s+/);
    lines.push(`${node.ip} ${type} ${key}`);
  }
  await writeFile(layout.knownHosts, `${lines.join('\n')}\n`);
}

/** The inventory of a testbed: what `up` prints and every test uses. */
export function testbedInventoryYaml(layout: TestbedLayout): string {
  const entry = layout.nodes[0]!;
  const inventory = {
    name: `testbed-${layout.options.id}`,
    engine: { via: 'ssh', socketPath: '/var/run/docker.sock' },
    ssh: { user: 'root', keyPath: layout.clientKey, knownHostsPath: layout.knownHosts, timeoutMs: 3000 },
    imagePolicy: 'local',
    // The Go coffee shop from the images built here (npm run shop -- images-real; cluster images load).
    images: 'go-coffee-local',
    // No IPVS in the node namespaces: no routing mesh, no virtual IPs.
    network: { routingMesh: false },
    minFreeDiskGiB: 1,
    values: { REVERSE_PROXY_URL: `http://${entry.ip}:5000`, ENTRY_HOST: entry.ip },
    nodes: layout.nodes.map((node) => ({
      name: node.name,
      host: node.ip,
      role: node.role,
      arch: 'amd64',
      labels: { 'cloudlet.testbed': String(layout.options.id) },
    })),
  };
  return `# Written by \`npm run testbed -- up\`; removed by \`down\`.\n${stringify(inventory)}`;
}

/** Removes everything `up` made: processes, cgroups, mounts, namespaces, links, files. */
export async function testbedDown(options: TestbedOptions, log: Logger): Promise<void> {
  requireRoot();
  const ip = requireBinary('ip', 'iproute2');
  const layout = testbedLayout(await storedOptions(options));
  log.progress(`stopping testbed ${options.id}`);
  await Promise.all(layout.nodes.map((node) => stopNode(node, ip)));
  await unmountUnder(options.dir);
  await removeNetwork(layout, ip);
  await rm(options.dir, { recursive: true, force: true });
  log.done();
}

/** The options `up` used (node count may differ from the defaults), when its state file is there. */
async function storedOptions(options: TestbedOptions): Promise<TestbedOptions> {
  try {
    const state = JSON.parse(await readFile(testbedLayout(options).statePath, 'utf8')) as { options: TestbedOptions };
    return { ...options, ...state.options, dir: options.dir };
  } catch {
    // Without a state file, look for as many nodes as could exist.
    return { ...options, nodes: Math.max(options.nodes, 9) };
  }
}

/** Lazily unmounts every mount point below `dir` (uts namespace files, overlay layers, netns files). */
async function unmountUnder(dir: string): Promise<void> {
  const umount = requireBinary('umount', 'mount');
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((point) => point.replace(/\\040/g, ' '))
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await run(umount, ['-l', point], { allowFail: true });
}

export interface TestbedNodeStatus {
  name: string;
  ip: string;
  role: string;
  engine: boolean;
  sshd: boolean;
}

export async function testbedStatus(options: TestbedOptions): Promise<{ up: boolean; inventoryPath: string; nodes: TestbedNodeStatus[] }> {
  if (!existsSync(testbedLayout(options).statePath)) return { up: false, inventoryPath: '', nodes: [] };
  const layout = testbedLayout(await storedOptions(options));
  const nodes = await Promise.all(
    layout.nodes.map(async (node) => {
      const pid = Number.parseInt(await readFile(join(node.dir, 'docker.pid'), 'utf8').catch(() => ''), 10);
      const engine =
        Number.isFinite(pid) &&
        alive(pid) &&
        (await engineAtSocket(node.socket, node.name)
          .docker.ping()
          .then(
            () => true,
            () => false,
          ));
      return { name: node.name, ip: node.ip, role: node.role, engine, sshd: await tcpOpen(node.ip, 22) };
    }),
  );
  return { up: nodes.every((node) => node.engine && node.sshd), inventoryPath: layout.inventoryPath, nodes };
}
