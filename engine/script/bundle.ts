/**
 * A k6 script (JavaScript or TypeScript) and its local imports → one CommonJS bundle with a source
 * map, through esbuild. k6 modules stay imports the runtime provides; any other k6 module, a remote
 * URL or a bare package name is refused with the name of the module and what to do instead.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { ScriptError, UsageError } from '../errors.ts';
import { MODULE_NAMES } from '../runtime/modules/index.ts';
import type { ScriptSource } from '../runtime/script.ts';

const K6_SUMMARY = /^https:\/\/jslib\.k6\.io\/k6-summary\/[\d.]+\/index\.js$/;
const SUPPORTED_K6 = MODULE_NAMES.filter((m) => m.startsWith('k6') && m !== 'k6-summary');

/** The resolver rules both the bundle and the blocking-call analysis use. */
export function k6ModulesPlugin(): esbuild.Plugin {
  return {
    name: 'k6-modules',
    setup(build) {
      build.onResolve({ filter: /^k6(\/.*)?$/ }, (args) => {
        if (SUPPORTED_K6.includes(args.path)) return { path: args.path, external: true };
        return {
          errors: [
            {
              text: `unsupported module "${args.path}": this engine provides ${SUPPORTED_K6.join(', ')} (run the script with k6 through K6_BIN for the others)`,
            },
          ],
        };
      });
      build.onResolve({ filter: /^https?:\/\// }, (args) => {
        if (K6_SUMMARY.test(args.path)) return { path: 'k6-summary', external: true };
        return { errors: [{ text: `remote module "${args.path}" is not supported: download it next to the script and import the local file` }] };
      });
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point' || isAbsolute(args.path)) return undefined;
        return {
          errors: [
            {
              text: `module "${args.path}" cannot be imported: k6 scripts import k6 modules, local files ("./file.js") or URLs, not packages or Node.js modules`,
            },
          ],
        };
      });
    },
  };
}

/** Bundles already made in this process, reused while none of their input files changed (a harness checks a script per rate). */
const made = new Map<string, { inputs: [string, number][]; source: ScriptSource }>();

const mtimeOf = (file: string): number => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
};

export async function bundleScript(scriptPath: string): Promise<ScriptSource> {
  const path = resolve(scriptPath);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`script ${scriptPath}: no such file`);
  const cached = made.get(path);
  if (cached?.inputs.every(([file, mtime]) => mtimeOf(file) === mtime)) return cached.source;
  const dir = dirname(path);
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[]; metafile?: esbuild.Metafile };
  try {
    result = await esbuild.build({
      entryPoints: [path],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2022',
      sourcemap: 'external',
      sourcesContent: false,
      outfile: resolve(dir, '__k6_bundle__.js'),
      mainFields: ['module', 'main'],
      resolveExtensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      loader: { '.ts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' },
      plugins: [k6ModulesPlugin()],
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: dir,
      // __ITER changes every iteration: the bundle reads it from the VU (see runtime/script.ts).
      define: { 'import.meta.url': JSON.stringify(`file://${path}`), __ITER: '__k6vu.iteration' },
    });
  } catch (error) {
    throw new ScriptError(formatBuildErrors(error));
  }
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!js) throw new ScriptError(`${scriptPath}: the bundler produced no code`);
  const source = { code: js.text, path, dir, map: map ? absoluteSources(map.text, dir) : null };
  const inputs = Object.keys(result.metafile?.inputs ?? {}).map((file): [string, number] => [resolve(dir, file), mtimeOf(resolve(dir, file))]);
  made.set(path, { inputs, source });
  return source;
}

function absoluteSources(mapText: string, dir: string): string {
  const map = JSON.parse(mapText) as { sources: string[] };
  map.sources = map.sources.map((s) => resolve(dir, s));
  return JSON.stringify(map);
}

/** esbuild's errors as "file:line:col: message" lines. */
export function formatBuildErrors(error: unknown): string {
  const errors = (error as { errors?: esbuild.Message[] }).errors;
  if (!errors || errors.length === 0) return (error as Error).message;
  return errors
    .slice(0, 5)
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text))
    .join('\n');
}
