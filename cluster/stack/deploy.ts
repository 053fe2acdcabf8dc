import { readFile } from 'node:fs/promises';
import { EnvironmentError, UsageError, errorMessage } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import type { Engine } from '../engine/engine.ts';
import type { Inventory } from '../inventory/schema.ts';
import type { ServiceSpec, SwarmService } from '../swarm/model.ts';
import { listServices } from '../swarm/read.ts';
import { IMAGE_LABEL, NAMESPACE_LABEL, SPEC_HASH_LABEL, specHash, type SecretPlan, type StackPlan } from './convert.ts';
import { renderProgress, renderTaskError, taskIds, waitForConvergence } from './converge.ts';
import { resolveFrom } from './load.ts';

export interface DeployResult {
  stack: string;
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Time from the last API change until every service converged; 0 when nothing changed. */
  convergenceMs: number;
}

export interface DeployOptions {
  timeoutMs: number;
  settleMs: number;
  /** Folder the stack file is in: secret and config files are relative to it. */
  baseDir: string;
  log: Logger;
  /** false: return once the changes are made, as `docker stack deploy` does (default true: wait for convergence). */
  wait?: boolean;
}

async function fileContent(plan: SecretPlan, baseDir: string): Promise<Buffer> {
  if (plan.environment) {
    const value = process.env[plan.environment];
    if (value === undefined) throw new UsageError(`secret ${plan.key}: environment variable ${plan.environment} is not set`);
    return Buffer.from(value);
  }
  const path = resolveFrom(baseDir, plan.file!);
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`secret/config ${plan.key}: cannot read ${path}: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Creates what is missing, in the order `docker stack deploy` does: networks, secrets, configs,
 * services. Existing networks, secrets and configs are kept (swarm cannot change their content in
 * place); a service is updated only when the spec derived from the file changed, so a repeated
 * deploy of the same file changes nothing.
 */
export async function deployStack(engine: Engine, plan: StackPlan, inventory: Inventory, options: DeployOptions): Promise<DeployResult> {
  const { docker } = engine;
  const log = options.log;
  const filter = { filters: { label: [`${NAMESPACE_LABEL}=${plan.stack}`] } };
  const existingNetworks = new Set(((await docker.listNetworks()) as Array<{ Name: string }>).map((network) => network.Name));
  for (const network of plan.networks) {
    if (existingNetworks.has(network.name)) continue;
    if (network.external) throw new UsageError(`network ${network.name} is external but does not exist: create it first`);
    log.info(`creating network ${network.name}`);
    await docker.createNetwork(network.spec);
  }
  const secretIds = new Map<string, string>();
  const existingSecrets = (await docker.listSecrets()) as Array<{ ID: string; Spec: { Name: string } }>;
  for (const secret of plan.secrets) {
    const found = existingSecrets.find((candidate) => candidate.Spec.Name === secret.name);
    if (found) secretIds.set(secret.name, found.ID);
    else if (secret.external) throw new UsageError(`secret ${secret.name} is external but does not exist: docker secret create ${secret.name} <file>`);
    else {
      log.info(`creating secret ${secret.name}`);
      const created = (await docker.createSecret({
        Name: secret.name,
        Labels: secret.labels,
        Data: (await fileContent(secret, options.baseDir)).toString('base64'),
      })) as { id?: string; ID?: string };
      secretIds.set(secret.name, created.id ?? created.ID ?? '');
    }
  }
  const configIds = new Map<string, string>();
  const existingConfigs = (await docker.listConfigs()) as Array<{ ID: string; Spec: { Name: string } }>;
  for (const config of plan.configs) {
    const found = existingConfigs.find((candidate) => candidate.Spec.Name === config.name);
    if (found) configIds.set(config.name, found.ID);
    else if (config.external) throw new UsageError(`config ${config.name} is external but does not exist`);
    else {
      log.info(`creating config ${config.name}`);
      const created = (await docker.createConfig({
        Name: config.name,
        Labels: config.labels,
        Data: (await fileContent(config, options.baseDir)).toString('base64'),
      })) as { id?: string; ID?: string };
      configIds.set(config.name, created.id ?? created.ID ?? '');
    }
  }

  const current = new Map((await listServices(engine, filter.filters.label[0])).map((service) => [service.Spec.Name, service]));
  const earlierTasks = await taskIds(
    engine,
    [...current.values()].map((service) => service.ID),
  );
  const result: DeployResult = { stack: plan.stack, created: [], updated: [], unchanged: [], convergenceMs: 0 };
  const ids: string[] = [];
  for (const service of plan.services) {
    const spec = await pinImage(engine, inventory, structuredClone(service.spec), log);
    const container = spec.TaskTemplate.ContainerSpec;
    container.Secrets = container.Secrets?.map((ref) => ({ ...ref, SecretID: secretIds.get(ref.SecretName) ?? '' }));
    container.Configs = container.Configs?.map((ref) => ({ ...ref, ConfigID: configIds.get(ref.ConfigName) ?? '' }));
    if (!container.Secrets) delete container.Secrets;
    if (!container.Configs) delete container.Configs;
    spec.Labels = { ...spec.Labels, [SPEC_HASH_LABEL]: specHash(spec) };
    const existing = current.get(spec.Name);
    if (!existing) {
      log.info(`creating service ${spec.Name}`);
      const created = (await docker.createService(spec as object)) as { id?: string; ID?: string };
      ids.push(created.id ?? created.ID ?? '');
      result.created.push(spec.Name);
      continue;
    }
    ids.push(existing.ID);
    const sameSpec = existing.Spec.Labels?.[SPEC_HASH_LABEL] === spec.Labels[SPEC_HASH_LABEL];
    // A scale since the last deploy is undone, as `docker stack deploy` does.
    const sameReplicas = existing.Spec.Mode.Replicated?.Replicas === spec.Mode.Replicated?.Replicas;
    if (sameSpec && sameReplicas) {
      result.unchanged.push(spec.Name);
      continue;
    }
    log.info(`updating service ${spec.Name}`);
    await updateService(engine, existing.ID, () => spec);
    result.updated.push(spec.Name);
  }
  if ((result.created.length || result.updated.length) && options.wait !== false) {
    result.convergenceMs = await waitForConvergence(engine, ids, {
      timeoutMs: options.timeoutMs,
      settleMs: options.settleMs,
      onProgress: (progress) => log.progress(`converging: ${renderProgress(progress)}`),
      onTaskError: (error) => log.warn(renderTaskError(error)),
      earlierTasks,
    });
    log.done();
  }
  return result;
}

/**
 * With imagePolicy local the images were loaded into every engine and no registry is reachable:
 * naming the image by id is the one way the engine skips its pull attempt (a tag or a digest it
 * cannot resolve makes each node try a pull first). With registry, the tag is resolved to its
 * digest through the manager, as `docker stack deploy` does, so every node runs the same image;
 * when the registry cannot be asked, the tag stays and deploy warns. The label keeps the name
 * from the file either way.
 */
async function pinImage(engine: Engine, inventory: Inventory, spec: ServiceSpec, log: Logger): Promise<ServiceSpec> {
  const image = spec.TaskTemplate.ContainerSpec.Image;
  if (inventory.imagePolicy === 'registry') {
    if (image.includes('@sha256:')) return spec;
    try {
      const distribution = (await engine.docker.getImage(image).distribution({})) as { Descriptor?: { digest?: string } };
      if (distribution.Descriptor?.digest) spec.TaskTemplate.ContainerSpec.Image = `${image}@${distribution.Descriptor.digest}`;
    } catch (error) {
      log.warn(`cannot resolve ${image} to a digest (${errorMessage(error)}): nodes pull the tag themselves`);
    }
    return spec;
  }
  try {
    const inspected = (await engine.docker.getImage(image).inspect()) as { Id: string };
    spec.TaskTemplate.ContainerSpec.Image = inspected.Id;
    spec.Labels = { ...spec.Labels, [IMAGE_LABEL]: image };
    return spec;
  } catch (error) {
    throw new EnvironmentError(
      `image ${image} is not on manager ${engine.node}: with imagePolicy local, load it into every engine first (${errorMessage(error)})`,
      { cause: error },
    );
  }
}

/**
 * service.update needs the whole spec and the current version; a concurrent change gives "update
 * out of sequence" (the Engine API's optimistic locking on the version), so inspect again and retry.
 */
export async function updateService(engine: Engine, id: string, change: (spec: ServiceSpec) => ServiceSpec): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const service = (await engine.docker.getService(id).inspect()) as SwarmService;
    try {
      // _query/_body keep the spec out of the query string (docker-modem sends opts as both otherwise).
      await engine.docker.getService(id).update({ _query: { version: service.Version.Index }, _body: change(structuredClone(service.Spec)) } as object);
      return;
    } catch (error) {
      if (attempt >= 5 || !/out of sequence/i.test(errorMessage(error))) throw error;
    }
  }
}
