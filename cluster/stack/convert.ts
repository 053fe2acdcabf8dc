import { createHash } from 'node:crypto';
import type { ServiceSpec } from '../swarm/model.ts';
import { bytes, durationNs, nanoCpus } from './units.ts';

/**
 * Compose file → Engine API objects, the way `docker stack deploy` converts them (docker/cli
 * cli/compose/convert): names `<stack>_<name>`, the label com.docker.stack.namespace on everything,
 * com.docker.stack.image on services, a `<stack>_default` network for services without networks.
 * Pure: no engine, no files (secret and config contents are read by the caller).
 */

export const NAMESPACE_LABEL = 'com.docker.stack.namespace';
export const IMAGE_LABEL = 'com.docker.stack.image';
/** Hash of the spec we derived from the file; a deploy whose hash is unchanged leaves the service alone. */
export const SPEC_HASH_LABEL = 'cloudlet.spec-sha256';

export interface NetworkPlan {
  name: string;
  external: boolean;
  spec: {
    Name: string;
    Driver: string;
    Attachable?: boolean;
    Internal?: boolean;
    Labels: Record<string, string>;
    Options?: Record<string, string>;
    CheckDuplicate: boolean;
  };
}

export interface SecretPlan {
  /** Name in the compose file. */
  key: string;
  name: string;
  external: boolean;
  /** File to read the content from (resolved by the caller), for secrets and configs made by us. */
  file: string | undefined;
  /** Environment variable holding the content, instead of a file. */
  environment: string | undefined;
  labels: Record<string, string>;
}

export interface ServicePlan {
  key: string;
  name: string;
  spec: ServiceSpec;
}

export interface StackPlan {
  stack: string;
  networks: NetworkPlan[];
  secrets: SecretPlan[];
  configs: SecretPlan[];
  services: ServicePlan[];
  warnings: string[];
}

type Obj = Record<string, unknown>;

export class ComposeError extends Error {
  override name = 'ComposeError';
}

const TOP_KEYS = new Set(['version', 'services', 'networks', 'volumes', 'secrets', 'configs']);
const SERVICE_KEYS = new Set([
  'image',
  'command',
  'entrypoint',
  'environment',
  'ports',
  'networks',
  'deploy',
  'labels',
  'hostname',
  'working_dir',
  'user',
  'volumes',
  'secrets',
  'configs',
  'healthcheck',
  'stop_grace_period',
  'init',
  'depends_on',
  'restart',
  'platform',
]);
const DEPLOY_KEYS = new Set(['mode', 'replicas', 'placement', 'resources', 'restart_policy', 'update_config', 'endpoint_mode', 'labels']);

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, where: string): Obj {
  if (value === undefined || value === null) return {};
  if (!isObj(value)) throw new ComposeError(`${where}: expected a mapping`);
  return value;
}

function str(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ComposeError(`${where}: expected a string`);
}

/** A duration, size or CPU count at `where`: a value that is not one names its place, as every other error here does. */
function unit(parse: (text: string) => number, value: unknown, where: string): number {
  const text = str(value, where);
  try {
    return parse(text);
  } catch (error) {
    throw new ComposeError(`${where}: ${(error as Error).message}`);
  }
}

/** Compose accepts `["a","b"]` or a shell-like string; a string is split on spaces like the CLI's shlex for simple cases. */
function command(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((item, index) => str(item, `${where}[${index}]`));
  return (str(value, where).match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((part) => part.replace(/^(["'])(.*)\1$/, '$2'));
}

/** A list of `KEY=value` strings or a mapping, to a mapping (null values mean "from the environment": left out). */
function keyValues(value: unknown, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const text = str(item, `${where}[${index}]`);
      const eq = text.indexOf('=');
      if (eq > 0) out[text.slice(0, eq)] = text.slice(eq + 1);
    }
    return out;
  }
  for (const [key, inner] of Object.entries(obj(value, where))) if (inner !== null && inner !== undefined) out[key] = str(inner, `${where}.${key}`);
  return out;
}

function unknownKeys(value: Obj, known: Set<string>, where: string, warnings: string[]): void {
  const extra = Object.keys(value).filter((key) => !known.has(key) && !key.startsWith('x-'));
  if (extra.length) warnings.push(`${where}: ignoring unsupported keys: ${extra.join(', ')}`);
}

/** A port in compose's short syntax, `published:target[/protocol]` or `target`; undefined for anything else (ranges, addresses). */
export function parsePortText(text: string): { target: number; published: number | undefined; protocol: string } | undefined {
  const match = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(text);
  if (!match) return undefined;
  return { target: Number(match[2]), published: match[1] ? Number(match[1]) : undefined, protocol: match[3] ?? 'tcp' };
}

function parsePorts(value: unknown, where: string): NonNullable<ServiceSpec['EndpointSpec']>['Ports'] {
  if (!Array.isArray(value)) return [];
  const ports: NonNullable<NonNullable<ServiceSpec['EndpointSpec']>['Ports']> = [];
  value.forEach((item, index) => {
    const at = `${where}[${index}]`;
    if (isObj(item)) {
      const target = Number(item.target);
      if (!Number.isInteger(target)) throw new ComposeError(`${at}.target: expected a port number`);
      ports.push({
        Protocol: item.protocol === undefined ? 'tcp' : str(item.protocol, `${at}.protocol`),
        TargetPort: target,
        ...(item.published !== undefined ? { PublishedPort: Number(item.published) } : {}),
        PublishMode: item.mode === 'host' ? 'host' : 'ingress',
      });
      return;
    }
    const short = parsePortText(str(item, at));
    if (!short) throw new ComposeError(`${at}: expected "published:target[/protocol]", got "${String(item)}"`);
    ports.push({
      Protocol: short.protocol,
      TargetPort: short.target,
      ...(short.published !== undefined ? { PublishedPort: short.published } : {}),
      PublishMode: 'ingress',
    });
  });
  // The CLI sorts ports so the spec does not depend on the file's order.
  return ports.sort((a, b) => a.TargetPort - b.TargetPort || (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0));
}

function fileReferences(value: unknown, where: string, known: Map<string, SecretPlan>, kind: 'secret' | 'config') {
  if (!Array.isArray(value)) return [];
  return value.map((item, index) => {
    const at = `${where}[${index}]`;
    const entry: Obj = isObj(item) ? item : { source: item };
    const source = str(entry.source, `${at}.source`);
    const plan = known.get(source);
    if (!plan) throw new ComposeError(`${at}: ${kind} "${source}" is not defined under top-level ${kind}s`);
    const target = entry.target === undefined ? (kind === 'secret' ? source : `/${source}`) : str(entry.target, `${at}.target`);
    return {
      File: {
        Name: target,
        UID: entry.uid === undefined ? '0' : str(entry.uid, `${at}.uid`),
        GID: entry.gid === undefined ? '0' : str(entry.gid, `${at}.gid`),
        Mode: entry.mode === undefined ? 0o444 : Number(entry.mode),
      },
      name: plan.name,
    };
  });
}

function topFiles(value: unknown, where: string, stack: string): SecretPlan[] {
  return Object.entries(obj(value, where)).map(([key, raw]) => {
    const entry = obj(raw, `${where}.${key}`);
    const external = entry.external === true || isObj(entry.external);
    const name = entry.name !== undefined ? str(entry.name, `${where}.${key}.name`) : external ? key : `${stack}_${key}`;
    const file = entry.file === undefined ? undefined : str(entry.file, `${where}.${key}.file`);
    const environment = entry.environment === undefined ? undefined : str(entry.environment, `${where}.${key}.environment`);
    if (!external && !file && !environment) throw new ComposeError(`${where}.${key}: expected file, environment or external`);
    return { key, name, external, file, environment, labels: { ...keyValues(entry.labels, `${where}.${key}.labels`), [NAMESPACE_LABEL]: stack } };
  });
}

/** Stable hash of a spec (keys sorted), for the no-op check of a repeated deploy. */
export function specHash(spec: ServiceSpec): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (isObj(value))
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, canonical(value[key])]),
      );
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(spec)))
    .digest('hex');
}

/** Converts an interpolated compose document into the stack's networks, secrets, configs and services. */
export function convertStack(stack: string, doc: unknown): StackPlan {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(stack)) throw new ComposeError(`stack name "${stack}": expected letters, digits, _ . -`);
  const warnings: string[] = [];
  const root = obj(doc, '(root)');
  unknownKeys(root, TOP_KEYS, '(root)', warnings);
  if (root.version === undefined)
    warnings.push('(root): no version key; Docker 20.10 `docker stack deploy` rejects such a file ("unsupported Compose file version")');

  const networks: NetworkPlan[] = [];
  const declared = obj(root.networks, 'networks');
  const networkName = new Map<string, string>();
  for (const [key, raw] of Object.entries(declared)) {
    const entry = obj(raw, `networks.${key}`);
    const external = entry.external === true || isObj(entry.external);
    const name = entry.name !== undefined ? str(entry.name, `networks.${key}.name`) : external ? key : `${stack}_${key}`;
    networkName.set(key, name);
    networks.push({
      name,
      external,
      spec: {
        Name: name,
        Driver: entry.driver === undefined ? 'overlay' : str(entry.driver, `networks.${key}.driver`),
        ...(entry.attachable === true ? { Attachable: true } : {}),
        ...(entry.internal === true ? { Internal: true } : {}),
        Labels: { ...keyValues(entry.labels, `networks.${key}.labels`), [NAMESPACE_LABEL]: stack },
        ...(entry.driver_opts ? { Options: keyValues(entry.driver_opts, `networks.${key}.driver_opts`) } : {}),
        CheckDuplicate: true,
      },
    });
  }
  const volumes = obj(root.volumes, 'volumes');
  const secrets = topFiles(root.secrets, 'secrets', stack);
  const configs = topFiles(root.configs, 'configs', stack);
  const secretByKey = new Map(secrets.map((plan) => [plan.key, plan]));
  const configByKey = new Map(configs.map((plan) => [plan.key, plan]));

  const services: ServicePlan[] = [];
  const services_ = obj(root.services, 'services');
  if (Object.keys(services_).length === 0) throw new ComposeError('services: expected at least one service');
  let usesDefault = false;
  for (const [key, raw] of Object.entries(services_)) {
    const at = `services.${key}`;
    const service = obj(raw, at);
    unknownKeys(service, SERVICE_KEYS, at, warnings);
    if (service.image === undefined) throw new ComposeError(`${at}.image: expected an image (stacks cannot build)`);
    const image = str(service.image, `${at}.image`);
    const deploy = obj(service.deploy, `${at}.deploy`);
    unknownKeys(deploy, DEPLOY_KEYS, `${at}.deploy`, warnings);
    const name = `${stack}_${key}`;

    const attach: Array<{ Target: string; Aliases: string[] }> = [];
    const serviceNetworks = service.networks;
    const networkEntries: Array<[string, Obj]> = Array.isArray(serviceNetworks)
      ? serviceNetworks.map((item, index) => [str(item, `${at}.networks[${index}]`), {}])
      : Object.entries(obj(serviceNetworks, `${at}.networks`)).map(([net, value]) => [net, obj(value, `${at}.networks.${net}`)]);
    if (networkEntries.length === 0) {
      usesDefault = true;
      networkEntries.push(['default', {}]);
    }
    for (const [net, options] of networkEntries) {
      const target = net === 'default' && !networkName.has('default') ? `${stack}_default` : networkName.get(net);
      if (!target) throw new ComposeError(`${at}.networks: network "${net}" is not defined under top-level networks`);
      if (net === 'default') usesDefault = true;
      const aliases = Array.isArray(options.aliases) ? options.aliases.map((alias, index) => str(alias, `${at}.networks.${net}.aliases[${index}]`)) : [];
      attach.push({ Target: target, Aliases: [key, ...aliases] });
    }
    attach.sort((a, b) => a.Target.localeCompare(b.Target));

    const env = keyValues(service.environment, `${at}.environment`);
    const placement = obj(deploy.placement, `${at}.deploy.placement`);
    const resources = obj(deploy.resources, `${at}.deploy.resources`);
    const limits = obj(resources.limits, `${at}.deploy.resources.limits`);
    const reservations = obj(resources.reservations, `${at}.deploy.resources.reservations`);
    const restart = obj(deploy.restart_policy, `${at}.deploy.restart_policy`);
    const update = obj(deploy.update_config, `${at}.deploy.update_config`);
    const health = obj(service.healthcheck, `${at}.healthcheck`);
    const mode = deploy.mode === undefined ? 'replicated' : str(deploy.mode, `${at}.deploy.mode`);
    if (mode !== 'replicated' && mode !== 'global') throw new ComposeError(`${at}.deploy.mode: expected replicated or global, got "${mode}"`);
    const replicas = deploy.replicas === undefined ? 1 : Number(deploy.replicas);
    if (!Number.isInteger(replicas) || replicas < 0) throw new ComposeError(`${at}.deploy.replicas: expected a whole number ≥ 0`);
    const endpointMode = deploy.endpoint_mode === undefined ? 'vip' : str(deploy.endpoint_mode, `${at}.deploy.endpoint_mode`);
    if (endpointMode !== 'vip' && endpointMode !== 'dnsrr') throw new ComposeError(`${at}.deploy.endpoint_mode: expected vip or dnsrr`);
    const ports = parsePorts(service.ports, `${at}.ports`) ?? [];

    const mounts = (Array.isArray(service.volumes) ? service.volumes : []).map((item, index) => {
      const vat = `${at}.volumes[${index}]`;
      const [source = '', target, flags] = isObj(item)
        ? [str(item.source ?? '', `${vat}.source`), str(item.target, `${vat}.target`), item.read_only ? 'ro' : '']
        : str(item, vat).split(':');
      if (!target) throw new ComposeError(`${vat}: expected "source:target[:ro]"`);
      const bind = source.startsWith('/') || source.startsWith('.');
      if (!bind && source && !(source in volumes)) throw new ComposeError(`${vat}: volume "${source}" is not defined under top-level volumes`);
      return bind
        ? { Type: 'bind', Source: source, Target: target, ...(flags === 'ro' ? { ReadOnly: true } : {}) }
        : {
            Type: 'volume',
            Source: source ? `${stack}_${source}` : '',
            Target: target,
            ...(flags === 'ro' ? { ReadOnly: true } : {}),
            VolumeOptions: { Labels: { [NAMESPACE_LABEL]: stack } },
          };
    });

    const secretRefs = fileReferences(service.secrets, `${at}.secrets`, secretByKey, 'secret');
    const configRefs = fileReferences(service.configs, `${at}.configs`, configByKey, 'config');

    const spec: ServiceSpec = {
      Name: name,
      Labels: { ...keyValues(deploy.labels, `${at}.deploy.labels`), [NAMESPACE_LABEL]: stack, [IMAGE_LABEL]: image },
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          Labels: { ...keyValues(service.labels, `${at}.labels`), [NAMESPACE_LABEL]: stack },
          ...(service.entrypoint !== undefined ? { Command: command(service.entrypoint, `${at}.entrypoint`) } : {}),
          ...(service.command !== undefined ? { Args: command(service.command, `${at}.command`) } : {}),
          ...(service.hostname !== undefined ? { Hostname: str(service.hostname, `${at}.hostname`) } : {}),
          // The CLI sorts the environment, so reordering the file is not a change.
          ...(Object.keys(env).length
            ? {
                Env: Object.entries(env)
                  .map(([k, v]) => `${k}=${v}`)
                  .sort(),
              }
            : {}),
          ...(service.working_dir !== undefined ? { Dir: str(service.working_dir, `${at}.working_dir`) } : {}),
          ...(service.user !== undefined ? { User: str(service.user, `${at}.user`) } : {}),
          ...(mounts.length ? { Mounts: mounts } : {}),
          ...(service.stop_grace_period !== undefined ? { StopGracePeriod: unit(durationNs, service.stop_grace_period, `${at}.stop_grace_period`) } : {}),
          ...(service.init !== undefined ? { Init: service.init === true } : {}),
          ...(Object.keys(health).length
            ? {
                Healthcheck: {
                  ...(health.test !== undefined
                    ? { Test: Array.isArray(health.test) ? health.test.map(String) : ['CMD-SHELL', str(health.test, `${at}.healthcheck.test`)] }
                    : {}),
                  ...(health.interval !== undefined ? { Interval: unit(durationNs, health.interval, `${at}.healthcheck.interval`) } : {}),
                  ...(health.timeout !== undefined ? { Timeout: unit(durationNs, health.timeout, `${at}.healthcheck.timeout`) } : {}),
                  ...(health.retries !== undefined ? { Retries: Number(health.retries) } : {}),
                  ...(health.start_period !== undefined ? { StartPeriod: unit(durationNs, health.start_period, `${at}.healthcheck.start_period`) } : {}),
                },
              }
            : {}),
          ...(secretRefs.length ? { Secrets: secretRefs.map((ref) => ({ File: ref.File, SecretID: '', SecretName: ref.name })) } : {}),
          ...(configRefs.length ? { Configs: configRefs.map((ref) => ({ File: ref.File, ConfigID: '', ConfigName: ref.name })) } : {}),
        },
        ...(Object.keys(limits).length || Object.keys(reservations).length
          ? {
              Resources: {
                ...(Object.keys(limits).length
                  ? {
                      Limits: {
                        ...(limits.cpus !== undefined ? { NanoCPUs: unit(nanoCpus, limits.cpus, `${at}.deploy.resources.limits.cpus`) } : {}),
                        ...(limits.memory !== undefined ? { MemoryBytes: unit(bytes, limits.memory, `${at}.deploy.resources.limits.memory`) } : {}),
                      },
                    }
                  : {}),
                ...(Object.keys(reservations).length
                  ? {
                      Reservations: {
                        ...(reservations.cpus !== undefined ? { NanoCPUs: unit(nanoCpus, reservations.cpus, `${at}.deploy.resources.reservations.cpus`) } : {}),
                        ...(reservations.memory !== undefined
                          ? { MemoryBytes: unit(bytes, reservations.memory, `${at}.deploy.resources.reservations.memory`) }
                          : {}),
                      },
                    }
                  : {}),
              },
            }
          : {}),
        ...(Object.keys(restart).length
          ? {
              RestartPolicy: {
                ...(restart.condition !== undefined ? { Condition: str(restart.condition, `${at}.deploy.restart_policy.condition`) } : {}),
                ...(restart.delay !== undefined ? { Delay: unit(durationNs, restart.delay, `${at}.deploy.restart_policy.delay`) } : {}),
                ...(restart.max_attempts !== undefined ? { MaxAttempts: Number(restart.max_attempts) } : {}),
                ...(restart.window !== undefined ? { Window: unit(durationNs, restart.window, `${at}.deploy.restart_policy.window`) } : {}),
              },
            }
          : {}),
        Placement: {
          ...(Array.isArray(placement.constraints)
            ? { Constraints: placement.constraints.map((c, i) => str(c, `${at}.deploy.placement.constraints[${i}]`)) }
            : {}),
          ...(Array.isArray(placement.preferences)
            ? {
                Preferences: placement.preferences.map((p, i) => ({
                  Spread: {
                    SpreadDescriptor: str(obj(p, `${at}.deploy.placement.preferences[${i}]`).spread, `${at}.deploy.placement.preferences[${i}].spread`),
                  },
                })),
              }
            : {}),
          ...(placement.max_replicas_per_node !== undefined ? { MaxReplicas: Number(placement.max_replicas_per_node) } : {}),
        },
        Networks: attach,
      },
      Mode: mode === 'global' ? { Global: {} } : { Replicated: { Replicas: replicas } },
      ...(Object.keys(update).length
        ? {
            UpdateConfig: {
              ...(update.parallelism !== undefined ? { Parallelism: Number(update.parallelism) } : {}),
              ...(update.delay !== undefined ? { Delay: unit(durationNs, update.delay, `${at}.deploy.update_config.delay`) } : {}),
              ...(update.failure_action !== undefined ? { FailureAction: str(update.failure_action, `${at}.deploy.update_config.failure_action`) } : {}),
              ...(update.order !== undefined ? { Order: str(update.order, `${at}.deploy.update_config.order`) } : {}),
            },
          }
        : {}),
      EndpointSpec: { Mode: endpointMode, ...(ports.length ? { Ports: ports } : {}) },
    };
    services.push({ key, name, spec });
  }
  if (usesDefault && !networkName.has('default')) {
    networks.push({
      name: `${stack}_default`,
      external: false,
      spec: { Name: `${stack}_default`, Driver: 'overlay', Labels: { [NAMESPACE_LABEL]: stack }, CheckDuplicate: true },
    });
  }
  return { stack, networks, secrets, configs, services, warnings };
}
