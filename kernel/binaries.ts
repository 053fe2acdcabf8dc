import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EnvironmentError } from './errors.ts';

const SEARCH_PATH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/**
 * Absolute path of a program, or an error naming the Debian package that provides it. Tests use it
 * too: a missing binary makes them fail (never skip) with the package to install.
 */
export function requireBinary(name: string, debianPackage: string): string {
  for (const dir of SEARCH_PATH) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next folder
    }
  }
  throw new EnvironmentError(`${name} not found: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage})`);
}
