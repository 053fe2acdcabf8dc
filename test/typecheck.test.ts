import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { REPO_ROOT } from './helpers/cli.ts';

// k6 strips types and never checks them, so the scenarios are type-checked here against @types/k6
// (no Node types), as `npm run typecheck` does.
const PROJECTS: [string, string][] = [
  ['the k6 scenarios type-check against @types/k6, without Node types', 'scenarios/tsconfig.json'],
  ["the engine's conformance scripts type-check against @types/k6", 'test/engine/scripts/tsconfig.json'],
  ['the harness type-checks (strict)', 'tsconfig.json'],
];
for (const [what, project] of PROJECTS) {
  test(what, async (t) => {
    const tsc = `${REPO_ROOT}node_modules/typescript/bin/tsc`;
    const { stdout } = await promisify(execFile)(process.execPath, [tsc, '-p', project], { cwd: REPO_ROOT }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    t.is(stdout.trim(), '', stdout);
  });
}
