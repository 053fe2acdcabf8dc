import { EnvironmentError } from '../../kernel/errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { SwarmService, SwarmTask } from '../swarm/model.ts';
import { listNodes, listTasks } from '../swarm/read.ts';

export interface ServiceProgress {
  name: string;
  desired: number;
  running: number;
  /** Tasks still running although told to stop (scale-down, update). */
  leaving: number;
  /** The latest task error, to say why a service does not converge. */
  lastError: string | undefined;
}

/**
 * Pure: how far each service is. A replicated service wants Replicas tasks, a global one a task
 * per ready, active node that its constraints allow (approximated by the engine's DesiredTasks).
 */
export function progressOf(services: SwarmService[], tasks: SwarmTask[], readyNodes: number): ServiceProgress[] {
  return services.map((service) => {
    const own = tasks.filter((task) => task.ServiceID === service.ID);
    const desired = service.Spec.Mode.Replicated ? (service.Spec.Mode.Replicated.Replicas ?? 1) : (service.ServiceStatus?.DesiredTasks ?? readyNodes);
    const running = own.filter((task) => task.DesiredState === 'running' && task.Status?.State === 'running').length;
    const leaving = own.filter((task) => task.DesiredState !== 'running' && task.Status?.State === 'running').length;
    const failed = own.filter((task) => task.Status?.Err).sort((a, b) => (b.Status?.Timestamp ?? '').localeCompare(a.Status?.Timestamp ?? ''))[0];
    return { name: service.Spec.Name, desired, running, leaving, lastError: failed?.Status?.Err };
  });
}

export function converged(progress: ServiceProgress[]): boolean {
  return progress.every((service) => service.running === service.desired && service.leaving === 0);
}

export function renderProgress(progress: ServiceProgress[]): string {
  return progress.map((service) => `${service.name} ${service.running}/${service.desired}${service.leaving ? ` (-${service.leaving})` : ''}`).join(', ');
}

export interface ConvergeOptions {
  timeoutMs: number;
  /** Converged must hold this long (a task may crash right after starting). */
  settleMs: number;
  pollMs?: number;
  /** Epoch ms the change was requested; the result counts from here (default: now). */
  startedAt?: number;
  onProgress?: (progress: ServiceProgress[]) => void;
}

/**
 * Waits until every task of the services is running at the desired count and no old task is left,
 * for `settleMs`. Resolves with the time from the call until convergence was first seen (settle
 * time excluded); throws with each service's state and last error on timeout.
 */
export async function waitForConvergence(engine: Engine, serviceIds: string[], options: ConvergeOptions): Promise<number> {
  const started = options.startedAt ?? Date.now();
  let convergedAt: number | undefined;
  let last: ServiceProgress[] = [];
  let lastShown = '';
  for (;;) {
    const [services, tasks, nodes] = await Promise.all([
      engine.docker.listServices({ filters: { id: serviceIds }, status: true } as object) as Promise<SwarmService[]>,
      listTasks(engine, { service: serviceIds }),
      listNodes(engine),
    ]);
    const ready = nodes.filter((node) => node.Status?.State === 'ready' && node.Spec.Availability === 'active').length;
    last = progressOf(
      services.filter((service) => serviceIds.includes(service.ID)),
      tasks,
      ready,
    );
    const shown = JSON.stringify(last);
    if (shown !== lastShown) options.onProgress?.(last);
    lastShown = shown;
    const now = Date.now();
    if (converged(last)) {
      convergedAt ??= now;
      if (now - convergedAt >= options.settleMs) return convergedAt - started;
    } else convergedAt = undefined;
    if (now - started > options.timeoutMs) {
      const detail = last
        .map((service) => `${service.name} ${service.running}/${service.desired}${service.lastError ? ` (last error: ${service.lastError})` : ''}`)
        .join('; ');
      throw new EnvironmentError(`not converged after ${options.timeoutMs} ms: ${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
