import { readFileSync } from 'node:fs';
import test from 'ava';
import { ENGINE_NODE_FLAGS } from '../../../engine/node-flags.ts';
import { REPO_ROOT } from '../../helpers/cli.ts';

// The harness and the benchmark spread ENGINE_NODE_FLAGS into their spawns; these are the places
// that cannot import it.
test('npm run engine and the README example generator command start node with the engine flags', (t) => {
  const pkg = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  t.is(pkg.scripts.engine, `exec node ${ENGINE_NODE_FLAGS.join(' ')} --import tsx engine/cli.ts`);
  const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
  t.true(readme.includes(`\`[node, ${ENGINE_NODE_FLAGS.join(', ')}, --import, tsx, engine/cli.ts]\``));
});
