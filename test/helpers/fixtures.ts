import { fileURLToPath } from 'node:url';

/** Absolute path of a file under test/fixtures/. */
export function fixturePath(...parts: string[]): string {
  return fileURLToPath(new URL(['../fixtures', ...parts].join('/'), import.meta.url));
}
