import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { errorMessage, UsageError } from './errors.ts';

/**
 * YAML text (a config, an inventory) → plain data, in time linear in its size and number of keys: the yaml package's own
 * duplicate-key check compares every key with every other (40,000 keys took 15 s), so it is off and
 * duplicates are found here, with a set per mapping. Every problem is a UsageError naming the line.
 */
export function parseYamlText(text: string, path: string): unknown {
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  } catch (error) {
    throw new UsageError(`${path}: not valid YAML: ${errorMessage(error).split('\n')[0]}`, { cause: error });
  }
  const lineOf = (offset: number | undefined) => (offset === undefined ? '' : ` (line ${lineCounter(text, offset)})`);
  if (doc.errors.length > 0)
    throw new UsageError(
      doc.errors
        .slice(0, 10)
        .map((e) => `${path}: not valid YAML${lineOf(e.pos[0])}: ${e.message.split('\n')[0]}`)
        .join('\n'),
    );
  const duplicates: string[] = [];
  const aliases: { source: string; offset: number | undefined }[] = [];
  // An explicit stack, not recursion: deeply nested input must not overflow the call stack.
  const stack: { node: unknown; where: string }[] = [{ node: doc.contents, where: '' }];
  while (stack.length > 0) {
    const { node, where } = stack.pop()!;
    if (isAlias(node)) aliases.push({ source: node.source, offset: node.range?.[0] });
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const at = where ? `${where}.${key}` : key;
        // Lines are counted for the first few only, so many duplicates stay linear too.
        if (seen.has(key) && duplicates.length < 20)
          duplicates.push(`${path}: ${at}: given twice${lineOf((pair.key as { range?: [number] } | null)?.range?.[0])}; keep one`);
        seen.add(key);
        stack.push({ node: pair.value, where: at });
      }
    } else if (isSeq(node)) for (const [i, item] of node.items.entries()) stack.push({ node: item, where: `${where}[${i}]` });
  }
  if (duplicates.length > 0) throw new UsageError(duplicates.join('\n'));
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias without its anchor (or too many aliases): name the line of the alias.
    const message = errorMessage(error).split('\n')[0] ?? '';
    const alias = aliases.find((a) => message.endsWith(`: ${a.source}`)) ?? aliases[0];
    throw new UsageError(`${path}: not valid YAML${lineOf(alias?.offset ?? 0)}: ${message}`, { cause: error });
  }
}

/** 1-based line of a character offset. */
function lineCounter(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
