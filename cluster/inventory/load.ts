import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError, errorMessage } from '../../kernel/errors.ts';
import { parseWith } from '../../kernel/schema.ts';
import { inventorySchema, type Inventory, type InventoryNode } from './schema.ts';

/** Where and how to open an SSH session to one node; every path is absolute. */
export interface SshTarget {
  node: string;
  host: string;
  port: number;
  user: string;
  keyPath: string | undefined;
  agentSocket: string | undefined;
  knownHostsPath: string;
  timeoutMs: number;
}

export interface LoadedInventory {
  inventory: Inventory;
  /** Absolute path of the file it came from. */
  path: string;
}

export async function loadInventory(path: string): Promise<LoadedInventory> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read inventory ${path}: ${errorMessage(error)}`, { cause: error });
  }
  return { inventory: parseInventory(text, absolute), path: absolute };
}

/** Parses inventory YAML; errors name the file and each bad field. */
export function parseInventory(text: string, where: string): Inventory {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${where}: not valid YAML: ${errorMessage(error)}`, { cause: error });
  }
  return parseWith(inventorySchema, raw, where);
}

function expandPath(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** Merges cluster-wide and per-node SSH settings into one target. */
export function sshTarget(loaded: LoadedInventory, node: Pick<InventoryNode, 'name' | 'host' | 'ssh'>, env: NodeJS.ProcessEnv = process.env): SshTarget {
  const base = loaded.inventory.ssh;
  const own = node.ssh ?? {};
  const baseDir = dirname(loaded.path);
  const keyPath = own.keyPath ?? base.keyPath;
  const knownHostsPath = own.knownHostsPath ?? base.knownHostsPath;
  const agent = own.agent ?? base.agent ?? keyPath === undefined;
  return {
    node: node.name,
    host: node.host,
    port: own.port ?? base.port ?? 22,
    user: own.user ?? base.user ?? env.USER ?? 'root',
    keyPath: keyPath === undefined ? undefined : expandPath(keyPath, baseDir),
    agentSocket: agent ? env.SSH_AUTH_SOCK : undefined,
    // Host keys are always verified: the user's known_hosts unless the inventory names another.
    knownHostsPath: expandPath(knownHostsPath ?? '~/.ssh/known_hosts', baseDir),
    timeoutMs: own.timeoutMs ?? base.timeoutMs ?? 5000,
  };
}

export function managers(inventory: Inventory): InventoryNode[] {
  return inventory.nodes.filter((node) => node.role === 'manager');
}
