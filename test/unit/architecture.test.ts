// The layering of ARCHITECTURE.md, enforced: every relative import (static, dynamic, `export from`)
// and every `new URL('<relative>', import.meta.url)` of every .ts file is an edge between top-level
// folders, and each edge must be one LAYERS allows. LAYERS itself must have no cycle, so no two
// folders can ever depend on each other both ways.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import test from 'ava';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers/cli.ts';

/** Each code folder and the folders it may import from (ARCHITECTURE.md draws the same). */
const LAYERS: Record<string, string[]> = {
  scenarios: [],
  kernel: [],
  rundir: ['kernel'],
  shop: ['kernel', 'scenarios'],
  cluster: ['kernel', 'rundir', 'shop'],
  reports: ['kernel', 'rundir'],
  engine: ['kernel', 'rundir'],
  bench: ['kernel', 'rundir', 'shop', 'cluster', 'reports', 'engine', 'scenarios'],
  perf: ['kernel', 'rundir', 'shop', 'cluster', 'reports', 'engine', 'bench'],
  // Tests may reach anything; nothing reaches them.
  test: ['kernel', 'rundir', 'shop', 'cluster', 'reports', 'engine', 'bench', 'perf', 'scenarios'],
};
/** Folders of data any layer may name (stack files, the dashboard); the repository root (package.json) too. */
const DATA = new Set(['stacks', 'grafana', 'examples', '']);
const SKIP = new Set(['node_modules', '.git', 'results', '.cache']);

interface Edge {
  file: string;
  target: string;
  from: string;
  to: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const topOf = (path: string): string => {
  const rel = relative(REPO_ROOT, path);
  return rel.includes(sep) ? rel.split(sep)[0]! : '';
};

/** Relative specifiers a file depends on: imports, `export from`, import(), new URL(x, import.meta.url). */
function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const isImportMetaUrl = (node: ts.Node | undefined) =>
    node !== undefined && ts.isPropertyAccessExpression(node) && node.name.text === 'url' && ts.isMetaProperty(node.expression);
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      found.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0]))
      found.push(node.arguments[0].text);
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [what, base] = node.arguments ?? [];
      if (what && ts.isStringLiteralLike(what) && isImportMetaUrl(base)) found.push(what.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((spec) => spec.startsWith('.'));
}

function edges(): Edge[] {
  return tsFiles(REPO_ROOT).flatMap((file) =>
    specifiers(file).map((spec) => {
      const target = resolve(dirname(file), spec);
      return { file: relative(REPO_ROOT, file), target: relative(REPO_ROOT, target) || '.', from: topOf(file), to: topOf(target) };
    }),
  );
}

/** Edges the layering refuses. */
function violations(all: Edge[], layers: Record<string, string[]>): string[] {
  return all
    .filter((e) => e.from !== e.to && !DATA.has(e.to) && !(layers[e.from] ?? []).includes(e.to))
    .map((e) => `${e.file} → ${e.target} (${e.from} may import ${layers[e.from]?.join(', ') || 'nothing of the project'})`);
}

/** Cycles in a layering, e.g. `bench → kernel → bench`; and its order, bottom to top. */
function cycles(layers: Record<string, string[]>): { cycles: string[]; order: string[] } {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const found: string[] = [];
  const visit = (folder: string, path: string[]) => {
    if (state.get(folder) === 'done') return;
    if (state.get(folder) === 'visiting') {
      found.push([...path.slice(path.indexOf(folder)), folder].join(' → '));
      return;
    }
    state.set(folder, 'visiting');
    for (const below of layers[folder] ?? []) visit(below, [...path, folder]);
    state.set(folder, 'done');
    order.push(folder);
  };
  for (const folder of Object.keys(layers)) visit(folder, []);
  return { cycles: found, order };
}

test('every import between top-level folders is one the layering allows', (t) => {
  const all = edges();
  t.true(all.length > 300, `only ${all.length} relative imports found: is the parser still reading them?`);
  const undeclared = [...new Set(all.map((e) => e.from))].filter((folder) => !(folder in LAYERS) && !DATA.has(folder));
  t.deepEqual(undeclared, [], 'a top-level folder with TypeScript in it must be declared in LAYERS (and drawn in ARCHITECTURE.md)');
  t.deepEqual(violations(all, LAYERS), []);
});

test('the layering has no back-edge: no two folders can depend on each other, directly or around a cycle', (t) => {
  const { cycles: found, order } = cycles(LAYERS);
  t.deepEqual(found, []);
  t.log(`bottom to top: ${order.join(' < ')}`);
});

test('both checks catch what they are for: an edge against the layering, and a cycle in it', (t) => {
  const backEdge: Edge = { file: 'kernel/x.ts', target: 'bench/pipeline.ts', from: 'kernel', to: 'bench' };
  t.deepEqual(violations([backEdge], LAYERS), ['kernel/x.ts → bench/pipeline.ts (kernel may import nothing of the project)']);
  t.deepEqual(
    violations([{ ...backEdge, from: 'scenarios', file: 'scenarios/lib/x.ts', target: 'kernel/log.ts', to: 'kernel' }], LAYERS).length,
    1,
    'scenarios is a leaf',
  );
  t.true(cycles({ ...LAYERS, kernel: ['bench'] }).cycles.includes('kernel → bench → kernel'));
  t.true(
    specifiers(join(REPO_ROOT, 'bench', 'cli.ts')).some((spec) => spec.startsWith('../kernel/')),
    'the parser reads import declarations',
  );
  t.true(specifiers(join(REPO_ROOT, 'bench', 'target', 'local-shop.ts')).includes('../../shop/cli.ts'), 'the parser reads new URL(…, import.meta.url)');
});
