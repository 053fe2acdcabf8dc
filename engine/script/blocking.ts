/**
 * Which scenarios need a thread per VU: those whose exec function can reach a blocking k6 call
 * (sleep, http.get/post/…/request, http.batch). esbuild tree-shakes the script down to that one
 * export; the k6 imports that survive, and how their bindings are used, decide. Anything unclear
 * (a k6 module object passed around, CommonJS require) counts as blocking: a wrong "async" would
 * make the script fail, a wrong "thread" only costs memory.
 */
import { resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { k6ModulesPlugin } from './bundle.ts';

const BLOCKING: Record<string, Set<string>> = {
  k6: new Set(['sleep']),
  'k6/http': new Set(['request', 'get', 'head', 'post', 'put', 'patch', 'del', 'options', 'batch']),
};

/** The blocking calls `exec` may make ("sleep", "http.get", …); empty when it makes none. */
export async function blockingCalls(scriptPath: string, exec: string): Promise<string[]> {
  const path = resolve(scriptPath);
  const spec = exec === 'default' ? 'default' : exec;
  const result = await esbuild.build({
    stdin: { contents: `export { ${spec} } from ${JSON.stringify(path)};`, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    treeShaking: true,
    plugins: [k6ModulesPlugin()],
    resolveExtensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    logLevel: 'silent',
  });
  return blockingInCode(result.outputFiles[0]?.text ?? '');
}

export function blockingInCode(code: string): string[] {
  const found = new Set<string>();
  if (/\brequire\(\s*["']k6/.test(code)) found.add('require("k6…")');
  const importRe = /^import\s+(.+?)\s+from\s+["'](k6(?:\/[\w/-]+)?)["'];?$/gm;
  const lines = code.split('\n');
  // Quoted strings cannot call anything; template literals are kept (their ${} can).
  const body = lines
    .filter((l) => !/^import\s/.test(l))
    .join('\n')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g, '""');
  for (const m of code.matchAll(importRe)) {
    const clause = m[1] ?? '';
    const module = m[2] ?? '';
    const blocking = BLOCKING[module];
    if (!blocking) continue;
    const prefix = module === 'k6' ? '' : `${module.slice(3)}.`;
    // import def, { a as b } / import * as ns
    const named = /\{([^}]*)\}/.exec(clause)?.[1];
    const rest = clause
      .replace(/\{[^}]*\}/, '')
      .replace(/,\s*$/, '')
      .trim();
    if (named) {
      for (const part of named.split(',')) {
        const [imported = '', local = imported] = part.trim().split(/\s+as\s+/);
        if (blocking.has(imported.trim()) && used(body, local.trim())) found.add(prefix + imported.trim());
      }
    }
    const ns = /^\*\s+as\s+(\w+)$/.exec(rest)?.[1] ?? (/^(\w+)$/.test(rest) ? rest : null);
    if (ns) {
      for (const occurrence of body.matchAll(new RegExp(`(?<![\\w$.])${ns}\\b(?!:\\/\\/)(\\.default)?(\\.(\\w+))?`, 'g'))) {
        const member = occurrence[3];
        if (member === undefined) found.add(`${module} (passed around as a value)`);
        else if (blocking.has(member)) found.add(prefix + member);
      }
    }
  }
  return [...found].sort();
}

function used(body: string, name: string): boolean {
  return new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(body);
}
