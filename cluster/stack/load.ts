import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError, errorMessage } from '../../kernel/errors.ts';
import type { Inventory } from '../inventory/schema.ts';
import { ComposeError, convertStack, type StackPlan } from './convert.ts';
import { MissingVariableError, interpolate } from './interpolate.ts';

export interface LoadedStack {
  plan: StackPlan;
  /** Folder of the stack file: secret and config files are relative to it. */
  baseDir: string;
}

/** A stack argument is a file path, or a name looked up as stacks/<name>.yml. */
export function stackFilePath(argument: string): string {
  if (argument.includes('/') || extname(argument)) return resolve(argument);
  return resolve('stacks', `${argument}.yml`);
}

export function stackNameOf(file: string): string {
  return basename(file, extname(file));
}

/** Reads a compose file, fills template values (inventory `values`, then the environment) and converts it. */
export async function loadStack(file: string, stackName: string, inventory: Inventory, env: NodeJS.ProcessEnv = process.env): Promise<LoadedStack> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read stack file ${file}: ${errorMessage(error)}`, { cause: error });
  }
  try {
    const filled = interpolate(parseYaml(text, { merge: true }), (name) => inventory.values[name] ?? env[name]);
    const plan = convertStack(stackName, filled.value);
    if (filled.unset.length) plan.warnings.unshift(`variables not set in the inventory's values nor the environment (left empty): ${filled.unset.join(', ')}`);
    return { plan, baseDir: dirname(file) };
  } catch (error) {
    if (error instanceof ComposeError || error instanceof MissingVariableError || (error instanceof Error && error.name === 'YAMLParseError')) {
      throw new UsageError(`${file}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

export function resolveFrom(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
