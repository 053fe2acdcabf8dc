import { UsageError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import type { Engine } from '../engine/engine.ts';
import type { SwarmService } from '../swarm/model.ts';
import { listServices } from '../swarm/read.ts';
import { renderProgress, renderTaskError, taskIds, waitForConvergence } from './converge.ts';
import { updateService } from './deploy.ts';

export interface ScaleTarget {
  service: string;
  replicas: number;
}

export interface ScaleResult {
  services: Array<{ name: string; from: number; to: number }>;
  /** From the scale request until every task runs at the new count (settle time excluded). */
  convergenceMs: number;
}

/** Parses `web=3` (or `stack_web=3`). */
export function parseScaleTarget(text: string): ScaleTarget {
  const match = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(\d+)$/.exec(text);
  if (!match) throw new UsageError(`expected <service>=<replicas>, got "${text}"`);
  return { service: match[1]!, replicas: Number(match[2]) };
}

/** Finds a service by its full name, or by `<name>` when exactly one stack has `<stack>_<name>`. */
export function findService(services: SwarmService[], name: string): SwarmService {
  const exact = services.find((service) => service.Spec.Name === name);
  if (exact) return exact;
  const suffixed = services.filter((service) => service.Spec.Name.endsWith(`_${name}`));
  if (suffixed.length === 1) return suffixed[0]!;
  if (suffixed.length > 1) throw new UsageError(`service "${name}" is ambiguous: ${suffixed.map((service) => service.Spec.Name).join(', ')}`);
  throw new UsageError(`no service "${name}" (have: ${services.map((service) => service.Spec.Name).join(', ') || 'none'})`);
}

/** Sets replica counts and waits for convergence; the returned time is a result of the bench. */
export async function scaleServices(
  engine: Engine,
  targets: ScaleTarget[],
  options: { timeoutMs: number; settleMs: number; log: Logger },
): Promise<ScaleResult> {
  const services = await listServices(engine);
  const chosen = targets.map((target) => {
    const service = findService(services, target.service);
    if (!service.Spec.Mode.Replicated) throw new UsageError(`service ${service.Spec.Name} is global: it cannot be scaled`);
    return { service, target };
  });
  const earlierTasks = await taskIds(
    engine,
    chosen.map(({ service }) => service.ID),
  );
  const started = Date.now();
  for (const { service, target } of chosen) {
    await updateService(engine, service.ID, (spec) => ({ ...spec, Mode: { Replicated: { Replicas: target.replicas } } }));
  }
  const convergenceMs = await waitForConvergence(
    engine,
    chosen.map(({ service }) => service.ID),
    {
      startedAt: started,
      timeoutMs: options.timeoutMs,
      settleMs: options.settleMs,
      onProgress: (progress) => options.log.progress(`converging: ${renderProgress(progress)}`),
      onTaskError: (error) => options.log.warn(renderTaskError(error)),
      earlierTasks,
    },
  );
  options.log.done();
  return {
    services: chosen.map(({ service, target }) => ({ name: service.Spec.Name, from: service.Spec.Mode.Replicated?.Replicas ?? 0, to: target.replicas })),
    convergenceMs,
  };
}
