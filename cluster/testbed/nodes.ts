import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { engineAtSocket } from '../engine/engine.ts';
import type { TestbedLayout, TestbedNodeLayout } from './layout.ts';
import { poll } from '../../kernel/poll.ts';
import { run } from './sh.ts';

export interface Binaries {
  ip: string;
  nsenter: string;
  unshare: string;
  dockerd: string;
  sshd: string;
  sshKeygen: string;
}

/** Starts a program detached from us (it outlives `testbed up`), output to a log file. */
function spawnDetached(file: string, args: string[], logPath: string): number {
  const log = openSync(logPath, 'a');
  const child = spawn(file, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`cannot start ${file}`);
  return child.pid;
}

/**
 * Fixture trees like a phone's: thermal zones (m°C) and a battery power supply (d°C). Rewrite a
 * `temp` file in place to change what the node reads, live.
 */
export async function writeThermalFixture(node: TestbedNodeLayout): Promise<void> {
  const battery = join(node.powerSupplyDir, 'battery');
  await mkdir(battery, { recursive: true });
  await writeFile(join(battery, 'type'), 'Battery\n');
  await writeFile(join(battery, 'temp'), `${300 + node.index}\n`);
  const zones = [
    { type: 'cpu-thermal', tempMilliC: 41000 + node.index * 500 },
    { type: 'battery', tempMilliC: 30000 + node.index * 100 },
  ];
  for (const [index, zone] of zones.entries()) {
    const dir = join(node.thermalDir, `thermal_zone${index}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'type'), `${zone.type}\n`);
    await writeFile(join(dir, 'temp'), `${zone.tempMilliC}\n`);
  }
}

/**
 * One dockerd per node, in the node's network and UTS namespaces. nsenter, not `ip netns exec`:
 * the latter remounts /sys and the engine then fails ("Devices cgroup isn't mounted"). Every
 * path and the cgroup parent are the node's own, so engines never share state.
 */
export async function startEngine(node: TestbedNodeLayout, bin: Binaries): Promise<void> {
  await mkdir(node.dir, { recursive: true });
  if (!existsSync(node.utsPath)) {
    await writeFile(node.utsPath, '');
    await run(bin.unshare, [`--uts=${node.utsPath}`, 'hostname', node.name]);
  }
  spawnDetached(
    bin.nsenter,
    [
      `--net=/run/netns/${node.netns}`,
      `--uts=${node.utsPath}`,
      '--',
      bin.dockerd,
      '--data-root',
      join(node.dir, 'data'),
      '--exec-root',
      join(node.dir, 'exec'),
      '--pidfile',
      join(node.dir, 'docker.pid'),
      '-H',
      `unix://${node.socket}`,
      '--cgroup-parent',
      `/${node.netns}`,
      '--log-level',
      'warn',
    ],
    join(node.dir, 'dockerd.log'),
  );
}

export async function waitForEngine(node: TestbedNodeLayout, timeoutMs = 30_000): Promise<void> {
  const { docker } = engineAtSocket(node.socket, node.name);
  await poll(`engine of ${node.name} (log: ${join(node.dir, 'dockerd.log')})`, timeoutMs, async () => ((await docker.ping()) ? true : undefined));
}

/**
 * sshd in the node's network and UTS namespaces and a private mount namespace in which a fresh
 * sysfs shows the node's own interfaces, the fixture trees sit at /sys/class/thermal and
 * /sys/class/power_supply (the host has none, and sysfs takes no new folders, so /sys/class
 * becomes a tmpfs of bind mounts; cpufreq is left as the host has it), and a
 * private /run holds docker.sock linked to the node's engine.
 */
export async function startSshd(layout: TestbedLayout, node: TestbedNodeLayout, bin: Binaries): Promise<void> {
  const hostKey = join(node.dir, 'ssh_host_ed25519_key');
  if (!existsSync(hostKey)) await run(bin.sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', node.name, '-f', hostKey]);
  const config = [
    `ListenAddress ${node.ip}:22`,
    `HostKey ${hostKey}`,
    `PidFile ${join(node.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${layout.clientKey}.pub`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'AllowStreamLocalForwarding yes',
    'PrintMotd no',
    '',
  ].join('\n');
  await writeFile(join(node.dir, 'sshd_config'), config);
  const classes = join(node.dir, 'sysclass');
  await mkdir(classes, { recursive: true });
  const script = [
    'set -e',
    'mount -t sysfs sysfs /sys',
    `mount --bind /sys/class ${classes}`,
    'mount -t tmpfs -o mode=755 tmpfs /sys/class',
    `for c in ${classes}/*; do n="\${c##*/}"; mkdir "/sys/class/$n"; mount --bind "$c" "/sys/class/$n"; done`,
    'mkdir -p /sys/class/thermal /sys/class/power_supply',
    `mount --bind ${node.thermalDir} /sys/class/thermal`,
    `mount --bind ${node.powerSupplyDir} /sys/class/power_supply`,
    'mount -t tmpfs -o mode=755 tmpfs /run',
    'mkdir -p /run/sshd',
    `ln -s ${node.socket} /run/docker.sock`,
    `exec ${bin.sshd} -D -e -f ${join(node.dir, 'sshd_config')}`,
  ].join('\n');
  spawnDetached(
    bin.nsenter,
    [`--net=/run/netns/${node.netns}`, `--uts=${node.utsPath}`, '--', bin.unshare, '--mount', '--propagation', 'private', '--', 'sh', '-c', script],
    join(node.dir, 'sshd.log'),
  );
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Cgroup folders under the node's cgroup parent, deepest first, in every hierarchy. */
async function nodeCgroups(node: TestbedNodeLayout): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) await walk(join(dir, entry.name));
    found.push(dir);
  };
  for (const hierarchy of await readdir(CGROUP_ROOT).catch(() => [] as string[])) {
    const dir = join(CGROUP_ROOT, hierarchy, node.netns);
    if (existsSync(dir)) await walk(dir);
  }
  return found;
}

async function cgroupPids(dirs: string[]): Promise<number[]> {
  const pids = new Set<number>();
  for (const dir of dirs) {
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (line.trim()) pids.add(Number(line));
  }
  return [...pids];
}

export async function stopEngineProcess(node: TestbedNodeLayout, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | undefined> {
  const pid = await readPid(join(node.dir, 'docker.pid'));
  if (pid !== undefined) kill(pid, signal);
  return pid;
}

/**
 * Stops everything of one node: containers first (SIGKILL through their cgroups, so the engine
 * does not wait out stop timeouts), then the engine, then whatever is left in its namespace.
 */
export async function stopNode(node: TestbedNodeLayout, ip: string): Promise<void> {
  for (const pid of await cgroupPids(await nodeCgroups(node))) kill(pid, 'SIGKILL');
  const dockerdPid = await stopEngineProcess(node, 'SIGTERM');
  if (dockerdPid !== undefined) {
    await poll(`dockerd of ${node.name} to stop`, 15_000, async () => (alive(dockerdPid) ? undefined : true)).catch(() => kill(dockerdPid, 'SIGKILL'));
  }
  const sshdPid = await readPid(join(node.dir, 'sshd.pid'));
  if (sshdPid !== undefined) kill(sshdPid, 'SIGKILL');
  const inNamespace = await run(ip, ['netns', 'pids', node.netns], { allowFail: true });
  for (const line of inNamespace.split('\n')) if (line.trim()) kill(Number(line), 'SIGKILL');
  for (const pid of await cgroupPids(await nodeCgroups(node))) kill(pid, 'SIGKILL');
  await poll(`processes of ${node.name} to exit`, 10_000, async () => {
    const left = await run(ip, ['netns', 'pids', node.netns], { allowFail: true });
    return left.trim() ? undefined : true;
  }).catch(() => undefined);
  for (const dir of await nodeCgroups(node)) await rmdir(dir).catch(() => undefined);
}
