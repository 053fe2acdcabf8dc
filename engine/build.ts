/**
 * The code of the engine's threads, bundled once per run with esbuild into plain CommonJS strings:
 * a worker or VU thread then starts from one compiled file, without a TypeScript loader (a VU
 * thread's start-up time and memory are most of a thread-mode VU's cost).
 */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

let cached: Promise<{ worker: string; thread: string }> | null = null;

export function threadCode(): Promise<{ worker: string; thread: string }> {
  cached ??= (async () => {
    const build = async (entry: string) => {
      const result = await esbuild.build({
        entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
        bundle: true,
        write: false,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        logLevel: 'silent',
        keepNames: true,
      });
      const text = result.outputFiles[0]?.text;
      if (!text) throw new Error(`bundling ${entry} produced no code`);
      return text;
    };
    const [worker, thread] = await Promise.all([build('./host/worker.ts'), build('./host/thread-vu.ts')]);
    return { worker, thread };
  })();
  return cached;
}
