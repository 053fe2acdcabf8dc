import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import type { ServiceSpec } from '../../cluster/swarm/model.ts';

/**
 * The spec-parity check against `docker stack deploy`: the parts of each service spec both tools
 * write, with the stack name, ids and our own labels taken out, so two deployments of one file
 * under two stack names compare equal.
 */

/** The Debian docker.io CLI matches the phones' 20.10 engine; any newer CLI works as well. */
export const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** `docker stack deploy` of `file` as `stack` on one engine (no registry is asked: --resolve-image never). */
export async function dockerStackDeploy(socket: string, file: string, stack: string, env: NodeJS.ProcessEnv, configDir: string): Promise<void> {
  await promisify(execFile)(DOCKER_CLI, ['-H', `unix://${socket}`, 'stack', 'deploy', '--resolve-image', 'never', '-c', file, stack], {
    env: { ...process.env, ...env, DOCKER_CONFIG: configDir },
  });
}

export function comparable(spec: ServiceSpec, stack: string, networkName: Map<string, string>, imageId: (image: string) => string = (image) => image) {
  const unstack = (text: string) => text.replace(new RegExp(`^${stack}_`), 'STACK_');
  const labels = (input: Record<string, string> | undefined) =>
    Object.fromEntries(
      Object.entries(input ?? {})
        .filter(([key]) => !key.startsWith('cloudlet.'))
        .map(([key, value]) => [key, value === stack ? 'STACK' : value]),
    );
  const container = spec.TaskTemplate.ContainerSpec;
  return {
    name: unstack(spec.Name),
    image: imageId(container.Image),
    env: container.Env,
    command: container.Command,
    args: container.Args,
    init: container.Init,
    mounts: container.Mounts?.map((mount) => ({
      ...mount,
      Source: mount.Source ? unstack(mount.Source) : mount.Source,
      ...(mount.VolumeOptions ? { VolumeOptions: { ...mount.VolumeOptions, Labels: labels(mount.VolumeOptions.Labels) } } : {}),
    })),
    stopGracePeriod: container.StopGracePeriod,
    healthcheck: container.Healthcheck,
    replicas: spec.Mode.Replicated?.Replicas,
    global: spec.Mode.Global !== undefined,
    placement: spec.TaskTemplate.Placement,
    networks: (spec.TaskTemplate.Networks ?? []).map((network) => ({
      target: unstack(networkName.get(network.Target) ?? network.Target),
      aliases: network.Aliases,
    })),
    ports: spec.EndpointSpec?.Ports,
    endpointMode: spec.EndpointSpec?.Mode,
    labels: labels(spec.Labels),
    containerLabels: labels(container.Labels),
    secrets: container.Secrets?.map((secret) => ({ file: secret.File, name: unstack(secret.SecretName) })),
    configs: container.Configs?.map((config) => ({ file: config.File, name: unstack(config.ConfigName) })),
    restart: spec.TaskTemplate.RestartPolicy,
  };
}

/**
 * Every service of `stack` on the manager, comparable, sorted by name. Images are compared by id:
 * with imagePolicy local we pin each service to the manager's image id where docker names the tag.
 */
export async function stackSpecs(docker: Docker, stack: string) {
  const networks = new Map(((await docker.listNetworks()) as Array<{ Id: string; Name: string }>).map((network) => [network.Id, network.Name]));
  const services = (await docker.listServices()) as Array<{ Spec: ServiceSpec }>;
  const ids = new Map<string, string>();
  for (const service of services) {
    const image = service.Spec.TaskTemplate.ContainerSpec.Image;
    if (!image.startsWith('sha256:') && !ids.has(image)) {
      ids.set(
        image,
        await docker
          .getImage(image)
          .inspect()
          .then(
            (inspected: { Id: string }) => inspected.Id,
            () => image,
          ),
      );
    }
  }
  return services
    .filter((service) => service.Spec.Labels?.['com.docker.stack.namespace'] === stack)
    .map((service) => comparable(service.Spec, stack, networks, (image) => ids.get(image) ?? image))
    .sort((a, b) => a.name.localeCompare(b.name));
}
