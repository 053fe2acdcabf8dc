import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { EnvironmentError, errorMessage } from '../../kernel/errors.ts';
import { managers, sshTarget, type LoadedInventory } from '../inventory/load.ts';
import type { InventoryNode } from '../inventory/schema.ts';
import { within } from '../../kernel/poll.ts';
import { connectSsh, type SshConnection } from '../../kernel/ssh/connect.ts';

/** Docker 20.10 speaks API 1.41; pinning it keeps requests identical on newer engines. */
export const API_VERSION = 'v1.41';

/** One engine to talk to, and how to let go of it. */
export interface Engine {
  readonly docker: Docker;
  /** Inventory node name (or the DOCKER_HOST address). */
  readonly node: string;
  close(): void;
}

/**
 * dockerode over one long-lived SSH connection: every HTTP request gets its own forwarded stream to
 * the node's engine socket, so there is no `docker system dial-stdio` (and no process on the node) per call.
 */
export function engineOverSsh(session: SshConnection, node: string, socketPath: string): Engine {
  const agent = new Agent({ keepAlive: false });
  // http.Agent accepts a callback-style createConnection; the stream is ready once forwarded.
  (agent as unknown as { createConnection: unknown }).createConnection = (_options: unknown, callback: (error: Error | null, stream?: Duplex) => void) => {
    session.forwardUnix(socketPath).then(
      (stream) => callback(null, stream),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
    return undefined;
  };
  const docker = new Docker({ protocol: 'http', host: 'localhost', port: 2375, agent, version: API_VERSION } as Docker.DockerOptions);
  return { docker, node, close: () => session.close() };
}

/** An engine on a local unix socket (the testbed's nodes, or unix:// DOCKER_HOST). */
export function engineAtSocket(socketPath: string, node: string): Engine {
  return { docker: new Docker({ socketPath, version: API_VERSION }), node, close() {} };
}

export function engineFromDockerHost(host: string, tlsDir: string | undefined): Engine {
  if (host.startsWith('unix://')) return engineAtSocket(host.slice('unix://'.length), host);
  const url = new URL(host.replace(/^tcp:/, tlsDir ? 'https:' : 'http:'));
  const tls = tlsDir
    ? { ca: readFileSync(join(tlsDir, 'ca.pem')), cert: readFileSync(join(tlsDir, 'cert.pem')), key: readFileSync(join(tlsDir, 'key.pem')) }
    : {};
  const docker = new Docker({
    protocol: tlsDir ? 'https' : 'http',
    host: url.hostname,
    port: Number(url.port || (tlsDir ? 2376 : 2375)),
    version: API_VERSION,
    ...tls,
  });
  return { docker, node: host, close() {} };
}

export async function connectNode(loaded: LoadedInventory, node: InventoryNode): Promise<Engine> {
  const engine = loaded.inventory.engine;
  if (engine.via === 'docker-host') throw new EnvironmentError(`engine.via is docker-host: node ${node.name} cannot be reached on its own`);
  const session = await connectSsh(sshTarget(loaded, node));
  return engineOverSsh(session, node.name, engine.socketPath);
}

export interface ManagerConnection {
  engine: Engine;
  /** Managers tried before this one, and why they failed. */
  failed: Array<{ node: string; error: string }>;
}

/**
 * Connects to the first manager, in inventory order, whose engine answers as a swarm manager that
 * can serve the control plane; with a quorum lost, none can, and the error lists each attempt.
 */
export async function connectManager(loaded: LoadedInventory): Promise<ManagerConnection> {
  const config = loaded.inventory.engine;
  if (config.via === 'docker-host') {
    const host = config.host ?? process.env.DOCKER_HOST;
    if (!host) throw new EnvironmentError('engine.via is docker-host but neither engine.host nor DOCKER_HOST is set');
    const tlsDir = config.tlsDir ?? (process.env.DOCKER_TLS_VERIFY ? process.env.DOCKER_CERT_PATH : undefined);
    return { engine: engineFromDockerHost(host, tlsDir), failed: [] };
  }
  const failed: ManagerConnection['failed'] = [];
  for (const node of managers(loaded.inventory)) {
    let engine: Engine | undefined;
    try {
      const timeoutMs = sshTarget(loaded, node).readyTimeoutMs;
      engine = await connectNode(loaded, node);
      const docker = engine.docker;
      // Listing nodes is the cheapest call that fails without a Raft leader.
      await within(docker.listNodes(), timeoutMs * 2, `${node.name}: engine`);
      return { engine, failed };
    } catch (error) {
      engine?.close();
      failed.push({ node: node.name, error: errorMessage(error) });
    }
  }
  throw new EnvironmentError(`no manager answered: ${failed.map((f) => `${f.node}: ${f.error}`).join('; ')}`);
}
