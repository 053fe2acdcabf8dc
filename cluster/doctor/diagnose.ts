import type { Inventory } from '../inventory/schema.ts';
import { normalizeArch, type SwarmNode } from '../swarm/model.ts';
import { matchNode } from '../swarm/status.ts';

/** What doctor learnt from one node over SSH (or why it could not). */
export interface NodeProbe {
  node: string;
  /** Why the node could not be reached within the SSH timeout, if it could not. */
  sshError: string | undefined;
  /** Why its engine did not answer over the SSH tunnel. */
  engineError: string | undefined;
  /** Node clock minus harness clock, corrected by half the round trip, in ms (kernel/ssh/clock.ts). */
  clockOffsetMs: number | undefined;
  /** 1000 when the node's clock prints whole seconds only (busybox date without %N and no $EPOCHREALTIME). */
  clockPrecisionMs?: number | undefined;
  diskFreeBytes: number | undefined;
  /** Engine-reported platform, normalized (arm/v7, amd64, ...). */
  arch: string | undefined;
  /** For each stack image: the platform of the local copy, 'missing', or 'unknown'. */
  images: Record<string, string>;
}

export interface Finding {
  check: 'managers' | 'leader' | 'node' | 'clock' | 'images' | 'disk' | 'roles';
  level: 'ok' | 'warn' | 'fail';
  node: string | undefined;
  message: string;
  /** What to do about it; empty for ok findings. */
  fix: string;
}

export interface DoctorInput {
  inventory: Inventory;
  /** Swarm nodes from a manager, or the reason no manager answered. */
  swarm: SwarmNode[] | { error: string };
  probes: NodeProbe[];
  /** Images the deployed (or given) stacks use. */
  images: string[];
  /**
   * imagePolicy registry: the platforms each image is published for, as the registry lists them
   * (through a manager), or undefined when it could not be asked.
   */
  registryPlatforms?: Record<string, string[] | undefined>;
  maxClockSkewMs: number;
  /**
   * What to run to put a missing (or wrong-platform) image on a node of `platform`: the build and
   * load commands for the images built here (cluster/images/fix.ts); without it, generic advice.
   */
  fixFor?: (image: string, platform: string | undefined) => string;
  /** Images no registry has (built here): missing on a node is a failure whatever the imagePolicy. */
  localOnly?: (image: string) => boolean;
}

const GIB = 1024 ** 3;

/** Pure: every check, each with its fix. */
export function diagnose(input: DoctorInput): Finding[] {
  const findings: Finding[] = [];
  const add = (finding: Finding) => findings.push(finding);
  const wantManagers = input.inventory.nodes.filter((node) => node.role === 'manager').length;

  if (!Array.isArray(input.swarm)) {
    add({
      check: 'leader',
      level: 'fail',
      node: undefined,
      message: input.swarm.error,
      fix: 'start the engines of the managers; with quorum lost, `docker swarm init --force-new-cluster` on one surviving manager, then `cluster init`',
    });
  } else {
    const swarm = input.swarm;
    const managers = swarm.filter((node) => node.Spec.Role === 'manager');
    const count = managers.length;
    if (count % 2 === 0) {
      add({
        check: 'managers',
        level: 'warn',
        node: undefined,
        message: `${count} managers: an even count tolerates no more failures than ${count - 1} (losing ${count / 2} loses quorum)`,
        fix: `set ${count + 1} or ${count - 1} managers in the inventory (role: manager), then run \`cluster init\``,
      });
    } else add({ check: 'managers', level: 'ok', node: undefined, message: `${count} managers (tolerates ${(count - 1) / 2} lost)`, fix: '' });
    if (wantManagers % 2 === 0 && wantManagers !== count) {
      add({
        check: 'managers',
        level: 'warn',
        node: undefined,
        message: `the inventory asks for ${wantManagers} managers, an even count`,
        fix: 'make the number of role: manager nodes odd',
      });
    }
    const leader = managers.find((node) => node.ManagerStatus?.Leader);
    if (!leader)
      add({
        check: 'leader',
        level: 'fail',
        node: undefined,
        message: 'the swarm has no leader',
        fix: 'bring back a majority of managers; if they are lost for good, `docker swarm init --force-new-cluster` on one of them',
      });
    else add({ check: 'leader', level: 'ok', node: leader.Description?.Hostname, message: `leader is ${leader.Description?.Hostname ?? leader.ID}`, fix: '' });
    for (const node of swarm) {
      const name = node.Description?.Hostname ?? node.ID;
      if (node.Status?.State !== 'ready') {
        add({
          check: 'node',
          level: 'fail',
          node: name,
          message: `node is ${node.Status?.State ?? 'unknown'}${node.Status?.Message ? ` (${node.Status.Message})` : ''}`,
          fix: `check that ${name} is powered and on the network, and that its engine runs (systemctl start docker)`,
        });
      }
      if (node.ManagerStatus && node.ManagerStatus.Reachability !== 'reachable') {
        add({
          check: 'node',
          level: 'fail',
          node: name,
          message: `manager is ${node.ManagerStatus.Reachability ?? 'unknown'}`,
          fix: `start the engine on ${name}; if it is gone for good, \`docker node demote\` and \`docker node rm --force\` it`,
        });
      }
      if (node.Spec.Availability && node.Spec.Availability !== 'active') {
        add({
          check: 'node',
          level: 'warn',
          node: name,
          message: `availability is ${node.Spec.Availability}: no new tasks land there`,
          fix: `docker node update --availability active ${name}`,
        });
      }
    }
    for (const entry of input.inventory.nodes) {
      const match = matchNode(entry, swarm);
      if (!match) add({ check: 'roles', level: 'fail', node: entry.name, message: 'not in the swarm', fix: 'run `cluster init` to join it' });
      else if (match.Spec.Role !== entry.role)
        add({
          check: 'roles',
          level: 'warn',
          node: entry.name,
          message: `is a ${match.Spec.Role}, the inventory says ${entry.role}`,
          fix: 'run `cluster init` to promote or demote it',
        });
    }
  }

  for (const probe of input.probes) {
    const entry = input.inventory.nodes.find((node) => node.name === probe.node);
    if (probe.sshError) {
      add({
        check: 'node',
        level: 'fail',
        node: probe.node,
        message: `unreachable over SSH: ${probe.sshError}`,
        fix: `check the address, port and key of ${probe.node} in the inventory, and that sshd runs there`,
      });
      continue;
    }
    if (probe.engineError)
      add({
        check: 'node',
        level: 'fail',
        node: probe.node,
        message: `engine not answering: ${probe.engineError}`,
        fix: `start the engine on ${probe.node} (systemctl start docker)`,
      });
    if (probe.clockOffsetMs !== undefined) {
      // A clock read in whole seconds can look up to a second off while it is right.
      const coarse = (probe.clockPrecisionMs ?? 0) >= 1000;
      if (Math.abs(probe.clockOffsetMs) > input.maxClockSkewMs + (coarse ? 1000 : 0)) {
        add({
          check: 'clock',
          level: 'fail',
          node: probe.node,
          message: `clock is off by ${(probe.clockOffsetMs / 1000).toFixed(2)} s${coarse ? " (± 1 s: the node's clock reads whole seconds)" : ''}`,
          fix: `enable time sync on ${probe.node} (chronyd or systemd-timesyncd); samples from nodes are time-aligned`,
        });
      } else add({ check: 'clock', level: 'ok', node: probe.node, message: `clock within ${Math.abs(probe.clockOffsetMs).toFixed(0)} ms`, fix: '' });
    }
    if (probe.diskFreeBytes !== undefined) {
      const minBytes = input.inventory.minFreeDiskGiB * GIB;
      if (probe.diskFreeBytes < minBytes) {
        add({
          check: 'disk',
          level: 'warn',
          node: probe.node,
          message: `${(probe.diskFreeBytes / GIB).toFixed(1)} GiB free for the engine (below ${input.inventory.minFreeDiskGiB} GiB)`,
          fix: `docker system prune on ${probe.node}, or free space on its data disk`,
        });
      } else add({ check: 'disk', level: 'ok', node: probe.node, message: `${(probe.diskFreeBytes / GIB).toFixed(1)} GiB free`, fix: '' });
    }
    const nodeArch = entry?.arch ?? probe.arch;
    if (entry?.arch && probe.arch && entry.arch !== probe.arch) {
      add({
        check: 'node',
        level: 'warn',
        node: probe.node,
        message: `runs ${probe.arch}, the inventory expects ${entry.arch}`,
        fix: 'correct arch in the inventory, or check the node',
      });
    }
    for (const image of input.images) {
      const found = probe.images[image];
      const published = input.registryPlatforms?.[image];
      if (found === 'missing' && input.inventory.imagePolicy === 'registry' && published && nodeArch) {
        if (!published.includes(nodeArch)) {
          add({
            check: 'images',
            level: 'fail',
            node: probe.node,
            message: `image ${image} is published for ${published.join(', ') || 'no platform'}, not for ${nodeArch}`,
            fix: `build and push ${image} for linux/${nodeArch} (docker buildx build --platform linux/${nodeArch} --push)`,
          });
        }
      } else if (found === 'missing') {
        add({
          check: 'images',
          level: input.inventory.imagePolicy === 'local' || input.localOnly?.(image) ? 'fail' : 'warn',
          node: probe.node,
          message: `image ${image} is not on the node`,
          fix:
            input.fixFor?.(image, nodeArch) ??
            (input.inventory.imagePolicy === 'local'
              ? `docker save ${image} | ssh ${probe.node} docker load`
              : `make sure ${image} is published for linux/${nodeArch ?? '<arch>'} and the node can reach its registry`),
        });
      } else if (found && found !== 'unknown' && nodeArch && found !== nodeArch) {
        add({
          check: 'images',
          level: 'fail',
          node: probe.node,
          message: `image ${image} is for ${found}, the node runs ${nodeArch}`,
          fix:
            (input.localOnly?.(image) ? input.fixFor?.(image, nodeArch) : undefined) ??
            `build and push ${image} for linux/${nodeArch} (docker buildx build --platform linux/${nodeArch})`,
        });
      }
    }
  }
  if (input.images.length && !findings.some((finding) => finding.check === 'images')) {
    add({ check: 'images', level: 'ok', node: undefined, message: `${input.images.length} stack images present for every reachable node's platform`, fix: '' });
  }
  return findings;
}

export function worstLevel(findings: Finding[]): Finding['level'] {
  if (findings.some((finding) => finding.level === 'fail')) return 'fail';
  return findings.some((finding) => finding.level === 'warn') ? 'warn' : 'ok';
}

/** Image platform as the Engine API reports it (Architecture + Variant) in our terms. */
export function imagePlatform(inspect: { Architecture?: string; Variant?: string }): string {
  const arch = normalizeArch(inspect.Architecture);
  return inspect.Variant && arch === 'arm' ? `arm/${inspect.Variant}` : arch;
}
