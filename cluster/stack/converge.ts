import { EnvironmentError } from '../../kernel/errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { SwarmNode, SwarmService, SwarmTask } from '../swarm/model.ts';
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

/** `go-coffee_counter: task failed on node2: task: non-zero exit (1)` */
export function renderTaskError(error: TaskError): string {
  return `${error.service}: task ${error.state}${error.node ? ` on ${error.node}` : ' (no node)'}: ${error.error}`;
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
  /** Each task error, once per service, node and error (a restart loop repeats the same one). */
  onTaskError?: (error: TaskError) => void;
  /** Tasks from before the change (their errors are history, not this change's). */
  earlierTasks?: ReadonlySet<string>;
}

/** A task the engine rejected or that failed, or one it cannot place. */
export interface TaskError {
  service: string;
  /** The node's hostname; '' for a task no node took (pending). */
  node: string;
  state: string;
  error: string;
}

const TERMINAL = new Set(['rejected', 'failed']);
/** Rejections are the engine's verdict before anything ran (no such image, bad mount): this many in a row is final. */
const REJECTED_IN_A_ROW = 3;
/**
 * A task that ran and failed may be waiting for a dependency (swarm ignores depends_on; the Go
 * coffee shop's services give up on rabbitmq after about 12 s): this many in a row ...
 */
const FAILED_IN_A_ROW = 5;
/** ... is final once every other service has converged and it has failed for this long ... */
const FAILING_ALONE_FOR_MS = 30_000;
/** ... or after this long anyway. */
const FAILING_FOR_MS = 120_000;

/** Pure: every task error, newest first, with the node's name. */
export function taskErrors(services: SwarmService[], tasks: SwarmTask[], nodes: SwarmNode[]): TaskError[] {
  const serviceName = new Map(services.map((service) => [service.ID, service.Spec.Name]));
  const nodeName = new Map(nodes.map((node) => [node.ID, node.Description?.Hostname ?? node.ID.slice(0, 12)]));
  return tasks
    .filter((task) => serviceName.has(task.ServiceID) && task.Status?.Err)
    .sort((a, b) => taskTime(b).localeCompare(taskTime(a)))
    .map((task) => ({
      service: serviceName.get(task.ServiceID)!,
      node: task.NodeID ? (nodeName.get(task.NodeID) ?? task.NodeID.slice(0, 12)) : '',
      state: task.Status?.State ?? '',
      error: task.Status!.Err!,
    }));
}

const taskTime = (task: SwarmTask) => task.CreatedAt ?? task.Status?.Timestamp ?? '';

/**
 * Pure: the error a service keeps failing with, when waiting longer cannot help: none of its
 * tasks runs and its newest tasks all ended with the same error, either rejected REJECTED_IN_A_ROW
 * times, or failed FAILED_IN_A_ROW times, for FAILING_ALONE_FOR_MS while every other service is
 * converged (nothing left for it to wait for) or for FAILING_FOR_MS.
 */
export function persistentFailure(service: SwarmService, tasks: SwarmTask[], othersConverged: boolean, nowMs: number): string | undefined {
  const own = tasks.filter((task) => task.ServiceID === service.ID).sort((a, b) => taskTime(b).localeCompare(taskTime(a)));
  if (own.some((task) => task.Status?.State === 'running')) return undefined;
  const streak: SwarmTask[] = [];
  for (const task of own) {
    if (!TERMINAL.has(task.Status?.State ?? '')) {
      // A task still being placed or started does not break the streak; one that ended otherwise does.
      if (task.DesiredState === 'running') continue;
      break;
    }
    if (streak.length > 0 && task.Status?.Err !== streak[0]!.Status?.Err) break;
    streak.push(task);
  }
  const error = streak[0]?.Status?.Err;
  if (!error) return undefined;
  if (streak.length >= REJECTED_IN_A_ROW && streak.every((task) => task.Status?.State === 'rejected')) return error;
  if (streak.length < FAILED_IN_A_ROW) return undefined;
  const failingForMs = nowMs - Date.parse(taskTime(streak.at(-1)!));
  return (othersConverged && failingForMs >= FAILING_ALONE_FOR_MS) || failingForMs >= FAILING_FOR_MS ? error : undefined;
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
  const seenErrors = new Set<string>();
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
    const mine = services.filter((service) => serviceIds.includes(service.ID));
    const fresh = tasks.filter((task) => !options.earlierTasks?.has(task.ID));
    for (const error of taskErrors(mine, fresh, nodes).reverse()) {
      const key = JSON.stringify([error.service, error.node, error.error]);
      if (seenErrors.has(key)) continue;
      seenErrors.add(key);
      options.onTaskError?.(error);
    }
    const now = Date.now();
    for (const service of mine) {
      const others = last.filter((progress) => progress.name !== service.Spec.Name);
      const error = persistentFailure(service, fresh, converged(others), now);
      if (error === undefined) continue;
      const where = [
        ...new Set(
          taskErrors([service], fresh, nodes)
            .map((e) => e.node)
            .filter(Boolean),
        ),
      ].join(', ');
      const output = await serviceLogTail(engine, service.ID, 5).catch(() => [] as string[]);
      throw new EnvironmentError(
        `service ${service.Spec.Name} keeps failing${where ? ` on ${where}` : ''}: ${error}` +
          (output.length ? `; its last output:\n${output.map((line) => `  ${line}`).join('\n')}` : ''),
      );
    }
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

/**
 * The last lines a service's tasks wrote (GET /services/{id}/logs), for the message when it keeps
 * failing. The stream is multiplexed (no TTY): 8-byte frame headers, the length big-endian at 4.
 */
export async function serviceLogTail(engine: Engine, serviceId: string, lines: number): Promise<string[]> {
  const raw = (await engine.docker.getService(serviceId).logs({ stdout: true, stderr: true, tail: lines, follow: false } as object)) as unknown;
  const buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
  const text: string[] = [];
  for (let at = 0; at + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(at + 4);
    text.push(buffer.subarray(at + 8, at + 8 + size).toString('utf8'));
    at += 8 + size;
  }
  return text
    .join('')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-lines);
}

/** The ids of the services' tasks now, before a change: waitForConvergence's `earlierTasks`. */
export async function taskIds(engine: Engine, serviceIds: string[]): Promise<Set<string>> {
  if (serviceIds.length === 0) return new Set();
  return new Set((await listTasks(engine, { service: serviceIds })).map((task) => task.ID));
}
