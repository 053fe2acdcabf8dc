import type { Engine } from '../engine/engine.ts';
import type { SwarmNode, SwarmService, SwarmTask } from './model.ts';

export async function listNodes(engine: Engine): Promise<SwarmNode[]> {
  return (await engine.docker.listNodes()) as SwarmNode[];
}

/** Tasks, optionally of some services, whose desired state is running (current ones only). */
export async function listTasks(engine: Engine, filters: { service?: string[]; desiredState?: string[] } = {}): Promise<SwarmTask[]> {
  const query: Record<string, string[]> = {};
  if (filters.service) query.service = filters.service;
  if (filters.desiredState) query['desired-state'] = filters.desiredState;
  return (await engine.docker.listTasks({ filters: query })) as SwarmTask[];
}

export async function listServices(engine: Engine, labelFilter?: string): Promise<SwarmService[]> {
  const opts = labelFilter ? { filters: { label: [labelFilter] }, status: true } : { status: true };
  return (await engine.docker.listServices(opts as object)) as SwarmService[];
}
