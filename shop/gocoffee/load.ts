import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { EnvironmentError, errorMessage } from '../../kernel/errors.ts';

/**
 * Loads docker-archive tarballs into one engine through the Engine API (`POST /images/load`,
 * dockerode's loadImage): no registry. The engine may be reached over the SSH connection the
 * cluster commands already hold (cluster/engine/engine.ts `engineOverSsh`), so the later
 * `cluster images load` calls this once per node.
 */

/** The part of cluster/engine's Engine this needs (kept structural so any dockerode works). */
export interface LoadTarget {
  readonly node: string;
  readonly docker: {
    loadImage(file: NodeJS.ReadableStream, options?: object): Promise<NodeJS.ReadableStream>;
    modem: { followProgress(stream: NodeJS.ReadableStream, onFinished: (error: Error | null, output: unknown[]) => void): void };
  };
}

export interface LoadedImage {
  path: string;
  /** What the engine said it loaded: "Loaded image: name:tag" lines. */
  loaded: string[];
  bytes: number;
  durationMs: number;
}

/** Loads each archive in turn; fails naming the node and the file on the first error. */
export async function loadImages(engine: LoadTarget, tarPaths: string[], onLoaded?: (image: LoadedImage) => void): Promise<LoadedImage[]> {
  const results: LoadedImage[] = [];
  for (const path of tarPaths) {
    const started = Date.now();
    const bytes = await stat(path).then(
      (s) => s.size,
      (error: unknown) => {
        throw new EnvironmentError(`${path}: ${errorMessage(error)}: build the images first (npm run shop -- images-real)`, { cause: error });
      },
    );
    let output: Array<{ stream?: string; error?: string; errorDetail?: { message?: string } }>;
    try {
      const stream = await engine.docker.loadImage(createReadStream(path), { quiet: true });
      output = await new Promise((resolve, reject) => {
        engine.docker.modem.followProgress(stream, (error, lines) => (error ? reject(error) : resolve(lines as typeof output)));
      });
    } catch (error) {
      throw new EnvironmentError(`${engine.node}: loading ${path} failed: ${errorMessage(error)}`, { cause: error });
    }
    const failure = output.find((line) => line.error)?.error;
    if (failure) throw new EnvironmentError(`${engine.node}: loading ${path} failed: ${failure}`);
    const loaded = output.map((line) => /Loaded image(?: ID)?: (\S+)/.exec(line.stream ?? '')?.[1]).filter((name): name is string => Boolean(name));
    const result = { path, loaded, bytes, durationMs: Date.now() - started };
    results.push(result);
    onLoaded?.(result);
  }
  return results;
}
