import type { Inventory } from '../inventory/schema.ts';
import { swarmArch } from '../swarm/model.ts';
import { isObj, parsePortText } from './convert.ts';
import { IMAGE_PRESETS } from './presets.ts';

/**
 * One stack file for every cluster, adapted at deploy time to what the inventory says differs:
 * - images: the inventory's map (or preset) puts the cluster's images in place of the file's;
 * - platform: a `node.platform.arch == …` constraint follows the nodes' arch (the inventory says
 *   amd64 or arm/v7, Swarm x86_64 or armv7l);
 * - network.routingMesh false (no IPVS, as on the simulated cloudlet): endpoint_mode dnsrr and
 *   every port published in host mode.
 * `adaptStack` is the one place this happens; deploy, doctor, `images load` and `stack config`
 * all read the stack through it (cluster/stack/load.ts). Pure.
 */

type Obj = Record<string, unknown>;

export interface ClusterAdaptation {
  /** The file's image (normalized, see normalizeImageRef) → the cluster's image. */
  images: Map<string, string>;
  /** The platforms the inventory's nodes declare (amd64, arm/v7), sorted; empty when none does. */
  platforms: string[];
  routingMesh: boolean;
}

export interface StackChange {
  service: string;
  kind: 'image' | 'platform' | 'endpoint';
  from: string;
  to: string;
}

export interface AdaptedStack {
  doc: Obj;
  changes: StackChange[];
  warnings: string[];
}

/** `postgres` → `postgres:latest`, `docker.io/library/postgres:14` → `postgres:14`: equal names compare equal. */
export function normalizeImageRef(reference: string): string {
  const bare = reference.replace(/^(?:index\.)?docker\.io\//, '').replace(/^library\//, '');
  if (bare.includes('@')) return bare;
  return bare.lastIndexOf(':') > bare.lastIndexOf('/') ? bare : `${bare}:latest`;
}

export function clusterAdaptation(inventory: Inventory): ClusterAdaptation {
  const map = typeof inventory.images === 'string' ? IMAGE_PRESETS[inventory.images] : (inventory.images ?? {});
  const platforms = [...new Set(inventory.nodes.map((node) => node.arch).filter((arch): arch is string => Boolean(arch)))].sort();
  return {
    images: new Map(Object.entries(map).map(([from, to]) => [normalizeImageRef(from), to])),
    platforms,
    routingMesh: inventory.network.routingMesh,
  };
}

const ARCH_CONSTRAINT = /^\s*node\.platform\.arch\s*==\s*(\S+)\s*$/;

/** The compose document with the cluster's differences applied (a new object; the input is left as it is). */
export function adaptStack(input: Obj, adaptation: ClusterAdaptation): AdaptedStack {
  const changes: StackChange[] = [];
  const warnings: string[] = [];
  const doc: Obj = { ...input };
  if (!isObj(input.services)) return { doc, changes, warnings };
  const services: Obj = {};
  for (const [key, raw] of Object.entries(input.services)) {
    if (!isObj(raw)) {
      services[key] = raw;
      continue;
    }
    const service: Obj = { ...raw };
    if (typeof service.image === 'string') {
      const mapped = adaptation.images.get(normalizeImageRef(service.image));
      if (mapped && mapped !== service.image) {
        changes.push({ service: key, kind: 'image', from: service.image, to: mapped });
        service.image = mapped;
      }
    }
    const deploy: Obj = isObj(service.deploy) ? { ...service.deploy } : {};
    const placement: Obj | undefined = isObj(deploy.placement) ? { ...deploy.placement } : undefined;
    if (placement && Array.isArray(placement.constraints) && adaptation.platforms.length > 0) {
      const wanted = adaptation.platforms.map(swarmArch);
      const kept: unknown[] = [];
      for (const constraint of placement.constraints) {
        const arch = typeof constraint === 'string' ? ARCH_CONSTRAINT.exec(constraint)?.[1] : undefined;
        if (arch === undefined) kept.push(constraint);
        else if (wanted.length === 1) {
          const to = `node.platform.arch == ${wanted[0]}`;
          kept.push(to);
          if (arch !== wanted[0]) changes.push({ service: key, kind: 'platform', from: String(constraint), to });
        } else {
          changes.push({ service: key, kind: 'platform', from: String(constraint), to: '(none)' });
          warnings.push(
            `services.${key}: "${constraint}" dropped: the inventory's nodes are ${adaptation.platforms.join(', ')}; each node needs the images for its own platform (npm run cluster -- images load)`,
          );
        }
      }
      placement.constraints = kept;
      deploy.placement = placement;
    }
    if (!adaptation.routingMesh) {
      const from = typeof deploy.endpoint_mode === 'string' ? deploy.endpoint_mode : 'vip';
      const ports = Array.isArray(service.ports) ? service.ports.map(hostModePort) : undefined;
      const ingress = ports !== undefined && JSON.stringify(ports) !== JSON.stringify(service.ports);
      if (from !== 'dnsrr' || ingress) {
        changes.push({
          service: key,
          kind: 'endpoint',
          from: `${from}${ingress ? ', ingress ports' : ''}`,
          to: `dnsrr${ports?.length ? ', host-mode ports' : ''}`,
        });
      }
      deploy.endpoint_mode = 'dnsrr';
      if (ports) service.ports = ports;
    }
    if (Object.keys(deploy).length > 0) service.deploy = deploy;
    services[key] = service;
  }
  doc.services = services;
  return { doc, changes, warnings };
}

/** A port in the long syntax, published in host mode (a short-syntax port that cannot be read is left for convert to report). */
function hostModePort(port: unknown): unknown {
  if (isObj(port)) return port.mode === 'host' ? port : { ...port, mode: 'host' };
  const short = typeof port === 'string' || typeof port === 'number' ? parsePortText(String(port)) : undefined;
  if (!short) return port;
  return { target: short.target, ...(short.published !== undefined ? { published: short.published } : {}), protocol: short.protocol, mode: 'host' };
}

/** One line per kind of change, for a deploy's log: "8 images mapped, …". */
export function summarizeChanges(changes: StackChange[]): string {
  const count = (kind: StackChange['kind']) => changes.filter((change) => change.kind === kind).length;
  const parts = [
    count('image') ? `${count('image')} images mapped` : '',
    count('platform')
      ? `${count('platform')} arch constraints set to the nodes' (${[...new Set(changes.filter((c) => c.kind === 'platform').map((c) => c.to))].join(', ')})`
      : '',
    count('endpoint') ? `${count('endpoint')} services in dnsrr, their ports in host mode (network.routingMesh: false)` : '',
  ].filter(Boolean);
  return parts.join('; ');
}
