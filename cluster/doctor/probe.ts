import { errorMessage } from '../../kernel/errors.ts';
import { connectManager, engineOverSsh, type Engine } from '../engine/engine.ts';
import { within } from '../../kernel/poll.ts';
import { measureClockOffset } from '../../kernel/ssh/clock.ts';
import { connectSsh, type SshConnection } from '../../kernel/ssh/connect.ts';
import { shellQuote } from '../../kernel/ssh/shell.ts';
import { sshTarget, type LoadedInventory } from '../inventory/load.ts';
import type { InventoryNode } from '../inventory/schema.ts';
import { inspectImages } from '../images/presence.ts';
import { IMAGE_LABEL } from '../stack/convert.ts';
import type { SwarmNode } from '../swarm/model.ts';
import { listNodes, listServices } from '../swarm/read.ts';
import { diagnose, imagePlatform, type DoctorInput, type Finding, type NodeProbe } from './diagnose.ts';

/** Reaches one node over SSH (within its timeout) and asks its clock, its disk and its engine. */
export async function probeNode(loaded: LoadedInventory, node: InventoryNode, images: string[]): Promise<NodeProbe> {
  const probe: NodeProbe = {
    node: node.name,
    sshError: undefined,
    engineError: undefined,
    clockOffsetMs: undefined,
    diskFreeBytes: undefined,
    arch: undefined,
    images: {},
  };
  const target = sshTarget(loaded, node);
  let session: SshConnection;
  try {
    session = await connectSsh(target);
  } catch (error) {
    probe.sshError = errorMessage(error);
    return probe;
  }
  try {
    const clock = await measureClockOffset(session, { timeoutMs: target.readyTimeoutMs });
    if (clock) {
      // The probe measures harness − node; a doctor finding speaks of the node's clock.
      probe.clockOffsetMs = -clock.offsetMs;
      probe.clockPrecisionMs = clock.precisionMs;
    }
    const socketPath = loaded.inventory.engine.via === 'ssh' ? loaded.inventory.engine.socketPath : '/var/run/docker.sock';
    const engine = engineOverSsh(session, node.name, socketPath);
    try {
      const info = (await within(engine.docker.info(), target.readyTimeoutMs, `${node.name}: engine`)) as { DockerRootDir?: string; Architecture?: string };
      probe.arch = imagePlatform({ Architecture: info.Architecture });
      const df = await session.run(`df -Pk ${shellQuote(info.DockerRootDir ?? '/var/lib/docker')}`);
      const available = Number(df.stdout.trim().split('\n')[1]?.split(/\s+/)[3]);
      if (Number.isFinite(available)) probe.diskFreeBytes = available * 1024;
      for (const [image, presence] of await inspectImages(engine, images)) probe.images[image] = typeof presence === 'object' ? presence.platform : presence;
    } catch (error) {
      probe.engineError = errorMessage(error);
    }
  } finally {
    session.close();
  }
  return probe;
}

/** Platforms a registry lists for an image (GET /distribution/<name>/json on a manager), or undefined. */
async function publishedPlatforms(engine: Engine, image: string): Promise<string[] | undefined> {
  try {
    const answer = (await within(engine.docker.getImage(image).distribution({}), 15_000, `registry for ${image}`)) as {
      Platforms?: Array<{ architecture?: string; variant?: string }>;
    };
    return (answer.Platforms ?? []).map((platform) => imagePlatform({ Architecture: platform.architecture, Variant: platform.variant }));
  } catch {
    return undefined;
  }
}

export interface DoctorOptions {
  /** Images to check besides those of deployed stacks (e.g. of a stack about to be deployed). */
  extraImages?: string[];
  maxClockSkewMs?: number;
  /** What to run for a missing image (cluster/images/fix.ts). */
  fixFor?: DoctorInput['fixFor'];
  localOnly?: DoctorInput['localOnly'];
}

/** Every doctor check against a cluster; the bench's preflight calls this. */
export async function runDoctor(loaded: LoadedInventory, options: DoctorOptions = {}): Promise<Finding[]> {
  let swarm: SwarmNode[] | { error: string };
  const images = new Set(options.extraImages ?? []);
  const registryPlatforms: Record<string, string[] | undefined> = {};
  try {
    const { engine } = await connectManager(loaded);
    try {
      swarm = await listNodes(engine);
      for (const service of await listServices(engine)) {
        const image = service.Spec.Labels?.[IMAGE_LABEL] ?? service.Spec.TaskTemplate.ContainerSpec.Image;
        // Images named by id or digest were pinned by deploy; the label keeps the readable name.
        if (!image.startsWith('sha256:')) images.add(image.replace(/@sha256:[0-9a-f]+$/, ''));
      }
      if (loaded.inventory.imagePolicy === 'registry') {
        for (const image of images) registryPlatforms[image] = await publishedPlatforms(engine, image);
      }
    } finally {
      engine.close();
    }
  } catch (error) {
    swarm = { error: errorMessage(error) };
  }
  const list = [...images].sort();
  const probes = await Promise.all(loaded.inventory.nodes.map((node) => probeNode(loaded, node, list)));
  return diagnose({
    inventory: loaded.inventory,
    swarm,
    probes,
    images: list,
    registryPlatforms,
    maxClockSkewMs: options.maxClockSkewMs ?? 1000,
    ...(options.fixFor ? { fixFor: options.fixFor } : {}),
    ...(options.localOnly ? { localOnly: options.localOnly } : {}),
  });
}
