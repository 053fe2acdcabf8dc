import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { UsageError, errorMessage } from '../../kernel/errors.ts';
import type { Inventory } from '../inventory/schema.ts';
import { adaptStack, clusterAdaptation, type StackChange } from './adapt.ts';
import { ComposeError, convertStack, isObj, type StackPlan } from './convert.ts';
import { interpolate } from './interpolate.ts';

/**
 * A stack file as a cluster gets it, the way `docker stack deploy` reads one: YAML (with merge
 * keys), variables filled (the inventory's `values`, then the environment), relative paths made
 * absolute against the file's folder (bind mounts, env_file, secret and config files), env_file
 * merged into environment, and the cluster's differences applied (adapt.ts). Then converted.
 */

type Obj = Record<string, unknown>;

export interface LoadedStack {
  file: string;
  /** The effective compose document: what `cluster stack config` prints and deploy converts. */
  document: Obj;
  plan: StackPlan;
  /** Folder of the stack file: relative paths in it are relative to this. */
  baseDir: string;
  /** What the inventory changed (images, platform constraints, endpoint mode). */
  changes: StackChange[];
  /**
   * What stops a deploy, one line each, all of them at once: every missing variable, every
   * unreadable env, secret or config file. Empty when none (assertLoadable throws them).
   */
  problems: string[];
}

/** A stack argument is a file path, or a name looked up as stacks/<name>.yml. */
export function stackFilePath(argument: string): string {
  if (argument.includes('/') || extname(argument)) return resolve(argument);
  return resolve('stacks', `${argument}.yml`);
}

export function stackNameOf(file: string): string {
  return basename(file, extname(file));
}

export function resolveFrom(baseDir: string, path: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** Reads a compose file and makes it the cluster's effective stack (see above); bad structure throws, problems are collected. */
export async function loadStack(file: string, stackName: string, inventory: Inventory, env: NodeJS.ProcessEnv = process.env): Promise<LoadedStack> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read stack file ${file}: ${errorMessage(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { merge: true });
  } catch (error) {
    throw new UsageError(`${file}: ${errorMessage(error)}`, { cause: error });
  }
  const filled = interpolate(parsed, (name) => inventory.values[name] ?? env[name]);
  const problems = filled.missing.map(({ name, message }) => `${file}: ${name}: ${message}`);
  const baseDir = dirname(file);
  const document = isObj(filled.value) ? withoutExtensions(resolvePaths(filled.value, baseDir)) : {};
  problems.push(...(await mergeEnvFiles(document, env)).map((problem) => `${file}: ${problem}`));
  const adapted = adaptStack(document, clusterAdaptation(inventory));
  let plan: StackPlan;
  try {
    plan = convertStack(stackName, adapted.doc);
  } catch (error) {
    if (!(error instanceof ComposeError)) throw error;
    throw new UsageError([...problems, `${file}: ${error.message}`].join('\n'), { cause: error });
  }
  problems.push(...(await unreadableFiles(plan, env)).map((problem) => `${file}: ${problem}`));
  if (filled.unset.length) plan.warnings.unshift(`variables not set in the inventory's values nor the environment (left empty): ${filled.unset.join(', ')}`);
  plan.warnings.push(...adapted.warnings);
  return { file, document: adapted.doc, plan, baseDir, changes: adapted.changes, problems };
}

/** Throws every problem of a loaded stack at once (one `error:` line each). */
export function assertLoadable(stack: LoadedStack): void {
  if (stack.problems.length > 0) throw new UsageError(stack.problems.join('\n'));
}

/** The effective stack as YAML, as `docker stack config` prints it; `# ` comments first say what the inventory changed. */
export function renderStack(stack: LoadedStack, clusterName: string): string {
  const notes = stack.changes.map((change) => `#   services.${change.service}: ${change.from} → ${change.to}`);
  const header = notes.length
    ? [`# ${stack.file}, adapted for cluster ${clusterName}:`, ...notes]
    : [`# ${stack.file} (cluster ${clusterName} changes nothing)`];
  return `${header.join('\n')}\n${stringify(stack.document, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
}

/** Top-level `x-` keys only carry anchors; their content is merged where it was used. */
function withoutExtensions(doc: Obj): Obj {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !key.startsWith('x-')));
}

const isRelative = (path: string) => path.startsWith('.') || path === '~' || path.startsWith('~/');

/**
 * Relative paths made absolute against the stack file's folder, as the docker CLI does: bind mount
 * sources (`./conf:/etc/conf`, or `source:` of a bind), env_file entries, secret and config files.
 */
export function resolvePaths(doc: Obj, baseDir: string): Obj {
  const out: Obj = { ...doc };
  if (isObj(doc.services)) {
    out.services = Object.fromEntries(
      Object.entries(doc.services).map(([key, raw]) => {
        if (!isObj(raw)) return [key, raw];
        const service: Obj = { ...raw };
        if (Array.isArray(raw.volumes)) service.volumes = raw.volumes.map((volume) => resolveVolume(volume, baseDir));
        if (typeof raw.env_file === 'string' || Array.isArray(raw.env_file)) {
          service.env_file = (Array.isArray(raw.env_file) ? raw.env_file : [raw.env_file]).map((path) =>
            typeof path === 'string' ? resolveFrom(baseDir, path) : path,
          );
        }
        return [key, service];
      }),
    );
  }
  for (const section of ['secrets', 'configs'] as const) {
    const entries = doc[section];
    if (!isObj(entries)) continue;
    out[section] = Object.fromEntries(
      Object.entries(entries).map(([key, raw]) =>
        isObj(raw) && typeof raw.file === 'string' && raw.file !== '' ? [key, { ...raw, file: resolveFrom(baseDir, raw.file) }] : [key, raw],
      ),
    );
  }
  return out;
}

function resolveVolume(volume: unknown, baseDir: string): unknown {
  if (typeof volume === 'string') {
    const [source = '', ...rest] = volume.split(':');
    return rest.length > 0 && isRelative(source) ? [resolveFrom(baseDir, source), ...rest].join(':') : volume;
  }
  if (isObj(volume) && (volume.type === undefined || volume.type === 'bind') && typeof volume.source === 'string' && isRelative(volume.source)) {
    return { ...volume, source: resolveFrom(baseDir, volume.source) };
  }
  return volume;
}

/**
 * An env file as the docker CLI reads one: `KEY=value` lines taken as they are (no quotes
 * removed, no variables filled), `#` comments and blank lines skipped, a bare `KEY` taken from the
 * environment when it is set there.
 */
export function parseEnvFile(text: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
    else if (eq < 0 && env[line.trim()] !== undefined) out[line.trim()] = env[line.trim()]!;
  }
  return out;
}

/** Each service's env_file merged into its environment (environment wins, later files win), in place; returns the files it could not read. */
async function mergeEnvFiles(doc: Obj, env: NodeJS.ProcessEnv): Promise<string[]> {
  const problems: string[] = [];
  if (!isObj(doc.services)) return problems;
  for (const [key, service] of Object.entries(doc.services)) {
    if (!isObj(service) || !Array.isArray(service.env_file)) continue;
    const merged: Record<string, unknown> = {};
    for (const path of service.env_file) {
      try {
        Object.assign(merged, parseEnvFile(await readFile(String(path), 'utf8'), env));
      } catch (error) {
        problems.push(`services.${key}.env_file: cannot read ${String(path)}: ${errorMessage(error)}`);
      }
    }
    const own = service.environment;
    if (Array.isArray(own)) {
      for (const item of own) {
        const text = String(item);
        const eq = text.indexOf('=');
        if (eq > 0) merged[text.slice(0, eq)] = text.slice(eq + 1);
      }
    } else if (isObj(own)) Object.assign(merged, own);
    service.environment = merged;
    delete service.env_file;
  }
  return problems;
}

/** Secret and config sources that a deploy would fail to read: files (already absolute) and environment variables. */
async function unreadableFiles(plan: StackPlan, env: NodeJS.ProcessEnv): Promise<string[]> {
  const problems: string[] = [];
  for (const [kind, entries] of [
    ['secrets', plan.secrets],
    ['configs', plan.configs],
  ] as const) {
    for (const entry of entries) {
      if (entry.external) continue;
      if (entry.environment !== undefined) {
        if (env[entry.environment] === undefined) problems.push(`${kind}.${entry.key}: environment variable ${entry.environment} is not set`);
      } else if (entry.file) {
        try {
          await access(entry.file, constants.R_OK);
        } catch (error) {
          problems.push(`${kind}.${entry.key}: cannot read ${entry.file}: ${errorMessage(error)}`);
        }
      }
    }
  }
  return problems;
}
