import type { SwarmNode, SwarmService, SwarmTask } from './model.ts';

export interface TaskRow {
  service: string;
  slot: number | undefined;
  node: string;
  desiredState: string;
  state: string;
  error: string;
  since: string;
}

/** Pure: current tasks (desired running, or still running), sorted by service and slot. */
export function taskRows(services: SwarmService[], tasks: SwarmTask[], nodes: SwarmNode[]): TaskRow[] {
  const serviceName = new Map(services.map((service) => [service.ID, service.Spec.Name]));
  const nodeName = new Map(nodes.map((node) => [node.ID, node.Description?.Hostname ?? node.ID.slice(0, 12)]));
  return tasks
    .filter((task) => serviceName.has(task.ServiceID) && (task.DesiredState === 'running' || task.Status?.State === 'running'))
    .map((task) => ({
      service: serviceName.get(task.ServiceID)!,
      slot: task.Slot,
      node: task.NodeID ? (nodeName.get(task.NodeID) ?? task.NodeID.slice(0, 12)) : '',
      desiredState: task.DesiredState ?? '',
      state: task.Status?.State ?? '',
      error: task.Status?.Err ?? '',
      since: task.Status?.Timestamp ?? '',
    }))
    .sort((a, b) => a.service.localeCompare(b.service) || (a.slot ?? 0) - (b.slot ?? 0) || a.node.localeCompare(b.node));
}
