import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Absolute path of a binary the test needs. Throws (so the test FAILS, never skips) with the Debian
 * package to install when it is missing.
 */
export function requireBinary(name: string, debianPackage: string, extraDirs: string[] = ['/usr/sbin', '/sbin']): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Next directory.
    }
  }
  throw new Error(`${name} not found: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage}; see .ci/setup-metrics.sh)`);
}
