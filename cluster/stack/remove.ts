import { EnvironmentError, UsageError, errorMessage } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import type { Engine } from '../engine/engine.ts';
import { listServices, listTasks } from '../swarm/read.ts';
import { NAMESPACE_LABEL } from './convert.ts';

export interface RemoveResult {
  services: string[];
  networks: string[];
  secrets: string[];
  configs: string[];
  durationMs: number;
}

/**
 * Removes a stack's services, waits until none of their tasks is left, then removes its networks
 * (which fail while a task still uses them), secrets and configs.
 */
export async function removeStack(engine: Engine, stack: string, options: { timeoutMs: number; log: Logger }): Promise<RemoveResult> {
  const { docker } = engine;
  const started = Date.now();
  const label = `${NAMESPACE_LABEL}=${stack}`;
  const services = await listServices(engine, label);
  const networks = (await docker.listNetworks({ filters: { label: [label] } })) as Array<{ Id: string; Name: string }>;
  const secrets = (await docker.listSecrets({ filters: { label: [label] } } as object)) as Array<{ ID: string; Spec: { Name: string } }>;
  const configs = (await docker.listConfigs({ filters: { label: [label] } } as object)) as Array<{ ID: string; Spec: { Name: string } }>;
  if (!services.length && !networks.length && !secrets.length && !configs.length) throw new UsageError(`no stack "${stack}" on this cluster`);

  for (const service of services) {
    options.log.info(`removing service ${service.Spec.Name}`);
    await docker.getService(service.ID).remove();
  }
  const ids = new Set(services.map((service) => service.ID));
  const deadline = Date.now() + options.timeoutMs;
  let shownLeft = -1;
  for (;;) {
    const left = (await listTasks(engine)).filter((task) => ids.has(task.ServiceID));
    if (left.length === 0) break;
    if (left.length !== shownLeft) options.log.progress(`waiting for ${left.length} tasks to go`);
    shownLeft = left.length;
    if (Date.now() > deadline) throw new EnvironmentError(`${left.length} tasks of stack ${stack} still there after ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  options.log.done();
  for (const network of networks) {
    for (;;) {
      try {
        await docker.getNetwork(network.Id).remove();
        break;
      } catch (error) {
        const message = errorMessage(error);
        if (/not found|no such/i.test(message)) break;
        if (Date.now() > deadline) throw new EnvironmentError(`cannot remove network ${network.Name}: ${message}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
  for (const secret of secrets) await docker.getSecret(secret.ID).remove();
  for (const config of configs) await docker.getConfig(config.ID).remove();
  return {
    services: services.map((service) => service.Spec.Name),
    networks: networks.map((network) => network.Name),
    secrets: secrets.map((secret) => secret.Spec.Name),
    configs: configs.map((config) => config.Spec.Name),
    durationMs: Date.now() - started,
  };
}
