import type { Logger } from '../kernel/log.ts';
import { connectManager, type ManagerConnection } from './engine/engine.ts';
import { loadInventory, type LoadedInventory } from './inventory/load.ts';

/** What every cluster command works with: the inventory and one manager's engine. */
export interface ClusterSession extends ManagerConnection {
  loaded: LoadedInventory;
}

/** Loads the inventory, connects to a manager, runs `work`, and always closes the connection. */
export async function withCluster<T>(inventoryPath: string, log: Logger, work: (session: ClusterSession) => Promise<T>): Promise<T> {
  const loaded = await loadInventory(inventoryPath);
  const connection = await connectManager(loaded);
  for (const failed of connection.failed) log.warn(`manager ${failed.node} did not answer: ${failed.error}`);
  try {
    return await work({ ...connection, loaded });
  } finally {
    connection.engine.close();
  }
}
