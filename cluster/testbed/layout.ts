import { join } from 'node:path';

/**
 * Where everything of one testbed lives: names, addresses, files. Pure, so `down` can find every
 * piece from the options alone, even after an `up` that failed half-way.
 */
export interface TestbedOptions {
  /** 1–39: lets test files run their own testbeds side by side (names and subnet derive from it). */
  id: number;
  /** Number of nodes (engines), default 4. */
  nodes: number;
  /** How many of them are swarm managers, default 1; the first nodes are the managers. */
  managers: number;
  /** State folder; default /tmp/cloudlet-testbed-<id>. */
  dir: string;
  /** false: leave the engines outside any swarm (for `cluster init` to form it). Default true. */
  swarm?: boolean;
  /** Also build and load the reference coffee shop image (about 100 MB per engine). Default true. */
  shopImage?: boolean;
}

export interface TestbedNodeLayout {
  index: number;
  name: string;
  role: 'manager' | 'worker';
  ip: string;
  netns: string;
  /** veth end in the bridge namespace. */
  bridgePort: string;
  dir: string;
  utsPath: string;
  socket: string;
  thermalDir: string;
  /** Fixture /sys/class/power_supply (a battery with a temp file). */
  powerSupplyDir: string;
}

export interface TestbedLayout {
  options: TestbedOptions;
  prefix: string;
  subnet: string;
  hostIp: string;
  bridgeNetns: string;
  hostVeth: string;
  nodes: TestbedNodeLayout[];
  clientKey: string;
  knownHosts: string;
  inventoryPath: string;
  statePath: string;
  imagesDir: string;
}

export const DEFAULT_OPTIONS: TestbedOptions = { id: 1, nodes: 4, managers: 1, dir: '/tmp/cloudlet-testbed-1' };

export function testbedLayout(options: TestbedOptions): TestbedLayout {
  const prefix = `cbt${options.id}`;
  // 192.168.211–249.0/24 stays clear of swarm's overlay pool (10.0.0.0/8) and of docker0 (172.17/16).
  const subnet = `192.168.${210 + options.id}`;
  const nodes: TestbedNodeLayout[] = [];
  for (let index = 1; index <= options.nodes; index++) {
    const name = `node${index}`;
    const dir = join(options.dir, name);
    nodes.push({
      index,
      name,
      role: index <= options.managers ? 'manager' : 'worker',
      ip: `${subnet}.${10 + index}`,
      netns: `${prefix}-${name}`,
      bridgePort: `p${index}`,
      dir,
      utsPath: join(dir, 'uts'),
      socket: join(dir, 'docker.sock'),
      thermalDir: join(dir, 'thermal'),
      powerSupplyDir: join(dir, 'power_supply'),
    });
  }
  return {
    options,
    prefix,
    subnet,
    hostIp: `${subnet}.254`,
    bridgeNetns: `${prefix}-br`,
    hostVeth: `${prefix}-h`,
    nodes,
    clientKey: join(options.dir, 'id_ed25519'),
    knownHosts: join(options.dir, 'known_hosts'),
    inventoryPath: join(options.dir, 'inventory.yml'),
    statePath: join(options.dir, 'state.json'),
    imagesDir: join(options.dir, 'images'),
  };
}
