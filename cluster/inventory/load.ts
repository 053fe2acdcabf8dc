import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseYamlText } from '../../kernel/yaml.ts';
import { UsageError, errorMessage } from '../../kernel/errors.ts';
import type { SshTarget } from '../../kernel/ssh/connect.ts';
import { parseWith } from '../../kernel/schema.ts';
import { inventorySchema, type Inventory, type InventoryNode } from './schema.ts';

export interface LoadedInventory {
  inventory: Inventory;
  /** Absolute path of the file it came from. */
  path: string;
  /** --accept-new-host-keys: every SSH connection to the inventory's machines records host keys seen for the first time. */
  acceptNewHostKeys: boolean;
}

export interface InventoryOptions {
  acceptNewHostKeys?: boolean;
}

export async function loadInventory(path: string, options: InventoryOptions = {}): Promise<LoadedInventory> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read inventory ${path}: ${errorMessage(error)}`, { cause: error });
  }
  return { inventory: parseInventory(text, absolute), path: absolute, acceptNewHostKeys: options.acceptNewHostKeys ?? false };
}

/** Parses inventory YAML; errors name the file and each bad field. */
export function parseInventory(text: string, where: string): Inventory {
  return parseWith(inventorySchema, parseYamlText(text, where), where);
}

function expandPath(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** An inventory machine's SSH target: every field the inventory decides is filled in, every path absolute. */
export type NodeSshTarget = SshTarget & { name: string; port: number; knownHostsPath: string; readyTimeoutMs: number };

/** Merges cluster-wide and per-node SSH settings (of a node or a generator) into one target. */
export function sshTarget(loaded: LoadedInventory, node: Pick<InventoryNode, 'name' | 'host' | 'ssh'>, env: NodeJS.ProcessEnv = process.env): NodeSshTarget {
  const base = loaded.inventory.ssh;
  const own = node.ssh ?? {};
  const baseDir = dirname(loaded.path);
  const keyPath = own.keyPath ?? base.keyPath;
  const knownHostsPath = own.knownHostsPath ?? base.knownHostsPath;
  const useAgent = own.agent ?? base.agent ?? keyPath === undefined;
  return {
    name: node.name,
    host: node.host,
    port: own.port ?? base.port ?? 22,
    username: own.user ?? base.user ?? env.USER ?? 'root',
    ...(keyPath === undefined ? {} : { privateKeyPath: expandPath(keyPath, baseDir) }),
    // `agent: false` in the inventory means no agent even when SSH_AUTH_SOCK is set.
    agent: (useAgent && env.SSH_AUTH_SOCK) || false,
    // Host keys are always verified: the user's known_hosts unless the inventory names another.
    knownHostsPath: expandPath(knownHostsPath ?? '~/.ssh/known_hosts', baseDir),
    readyTimeoutMs: own.timeoutMs ?? base.timeoutMs ?? 5000,
    ...(loaded.acceptNewHostKeys ? { acceptNewHostKey: true } : {}),
  };
}

export function managers(inventory: Inventory): InventoryNode[] {
  return inventory.nodes.filter((node) => node.role === 'manager');
}
