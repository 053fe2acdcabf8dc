import { z } from 'zod';
import { IMAGE_PRESET_NAMES } from '../stack/presets.ts';

/**
 * The inventory: one YAML file per cluster (cluster/*.yml). It says where the nodes are, how to
 * reach their engines and which per-cluster values the stacks need. It never holds a password:
 * keys are paths (or the SSH agent), secrets come from the environment or files outside the repo.
 */

const port = z.number().int().min(1, 'expected 1–65535').max(65535, 'expected 1–65535');

/** SSH settings; per node values override the cluster-wide ones. */
export const sshSchema = z
  .object({
    /** Login user. */
    user: z.string().min(1).optional(),
    port: port.optional(),
    /** Private key file; relative paths are resolved against the inventory's folder. */
    keyPath: z.string().min(1).optional(),
    /** Use the agent at SSH_AUTH_SOCK instead of (or after) the key file. */
    agent: z.boolean().optional(),
    /** known_hosts file used to verify host keys; default ~/.ssh/known_hosts. A host not in it is refused. */
    knownHostsPath: z.string().min(1).optional(),
    /** Connect and authenticate within this time, in ms (default 5000). */
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();

export const platformSchema = z
  .string()
  .regex(/^(amd64|arm64|arm\/v[5-8]|386|ppc64le|s390x|riscv64)$/, 'expected an architecture such as amd64, arm64 or arm/v7');

export const nodeSchema = z
  .object({
    /** The node's name; it should equal the node's hostname as the swarm reports it. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a hostname-like name'),
    /** Address the harness uses for SSH, and the address the node advertises in the swarm. */
    host: z.string().min(1),
    role: z.enum(['manager', 'worker']),
    labels: z.record(z.string(), z.string()).default({}),
    /** The platform the node is expected to run, e.g. arm/v7 on the phones. */
    arch: platformSchema.optional(),
    ssh: sshSchema.optional(),
  })
  .strict();

/**
 * A machine that runs part of the load (k6's --execution-segment), started over SSH by the harness:
 * a laptop, a server on the cloudlet's network, or a phone. Not a swarm node.
 */
export const generatorSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected a hostname-like name'),
    host: z.string().min(1),
    ssh: sshSchema.optional(),
    /** The generator program there: this project's engine from a checkout (`[node, --import, tsx, engine/cli.ts]`), or a k6 2.x of your own (`[k6]`). */
    command: z.array(z.string().min(1)).min(1).default(['k6']),
    /** Folder the command runs in; it holds scenarios/ (a checkout of this repository). */
    workdir: z.string().min(1),
  })
  .strict();

export const engineSchema = z
  .discriminatedUnion('via', [
    z
      .object({
        /** Tunnel the Engine API over SSH to a manager's socket (the default). */
        via: z.literal('ssh'),
        /** Engine socket on the node. */
        socketPath: z.string().default('/var/run/docker.sock'),
      })
      .strict(),
    z
      .object({
        /** Talk to one engine directly: unix:///path or tcp://host:port (TLS when tlsDir is set). */
        via: z.literal('docker-host'),
        /** Defaults to the DOCKER_HOST environment variable. */
        host: z.string().optional(),
        /** Folder with ca.pem, cert.pem, key.pem; defaults to DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set. */
        tlsDir: z.string().optional(),
      })
      .strict(),
  ])
  .default({ via: 'ssh', socketPath: '/var/run/docker.sock' });

const imageReference = z.string().regex(/^[a-z0-9][\w./:@-]*$/, 'expected an image reference such as postgres:14-alpine');

/**
 * What the cluster runs in place of a stack file's images: a preset (go-coffee-local: the images
 * `npm run shop -- images-real` builds), or a map from the file's image to this cluster's.
 */
export const imagesSchema = z.union([z.enum(IMAGE_PRESET_NAMES), z.record(imageReference, imageReference)]);

/** How service traffic reaches tasks on this cluster. */
export const networkSchema = z
  .object({
    /**
     * false on clusters without IPVS (the simulated cloudlet: no routing mesh, no virtual IPs):
     * every service is deployed with endpoint_mode dnsrr and its ports published in host mode.
     * Default true.
     */
    routingMesh: z.boolean().default(true),
  })
  .strict();

export const inventorySchema = z
  .object({
    name: z.string().min(1),
    engine: engineSchema,
    ssh: sshSchema.default({}),
    nodes: z.array(nodeSchema).min(1, 'expected at least one node'),
    /** Extra load generators; the harness's own machine is always one. */
    generators: z.array(generatorSchema).default([]),
    /**
     * Per-cluster template values for stacks, e.g. REVERSE_PROXY_URL. Never secrets: a stack
     * takes those from the environment or from secret files outside the repository.
     */
    values: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    /**
     * registry: services name images by tag and each engine pulls as `docker stack deploy` does.
     * local: images were loaded into every engine beforehand (no registry reachable); deploy pins
     * each service to the image id found on the manager, so no engine ever attempts a pull.
     */
    imagePolicy: z.enum(['registry', 'local']).default('registry'),
    /** Images this cluster runs in place of the stack files' (see imagesSchema); none by default. */
    images: imagesSchema.optional(),
    network: networkSchema.default({ routingMesh: true }),
    /** Minimum free disk space per node, in GiB, below which doctor warns (default 2). */
    minFreeDiskGiB: z.number().nonnegative().default(2),
  })
  .strict()
  .superRefine((inventory, ctx) => {
    const seen = new Map<string, number>();
    inventory.nodes.forEach((node, index) => {
      const first = seen.get(node.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['nodes', index, 'name'], message: `expected a unique name, "${node.name}" is also nodes[${first}]` });
      } else seen.set(node.name, index);
    });
    if (!inventory.nodes.some((node) => node.role === 'manager')) {
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'expected at least one node with role manager' });
    }
    for (const [key, value] of Object.entries(inventory.values)) {
      if (/password|secret|token/i.test(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['values', key],
          message: 'expected no secrets here: pass them as Docker secrets from a file or the environment',
        });
      } else if (value.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['values', key], message: 'expected a non-empty value' });
      }
    }
  });

export type Inventory = z.output<typeof inventorySchema>;
export type InventoryNode = z.output<typeof nodeSchema>;

/** The JSON Schema of the inventory, for editors (cluster/inventory.schema.json is generated from it). */
export function inventoryJsonSchema(): unknown {
  return z.toJSONSchema(inventorySchema, { io: 'input', unrepresentable: 'any' });
}
