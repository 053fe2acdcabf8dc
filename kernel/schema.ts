import type { z } from 'zod';
import { UsageError } from './errors.ts';

/** Dot-path of a zod issue: `nodes[2].ssh.port`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    // An empty key stands for a list given where a map is also allowed (matrix.replicas).
    else if (part === '') continue;
    // A key that is no plain name (spaces, colons, dots) is quoted, so the path stays readable.
    else if (typeof part === 'string' && !/^[A-Za-z_$][\w$-]*$/.test(part)) out += `[${JSON.stringify(part)}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** One line per problem: `where: path: message`. */
export function formatIssues(where: string, error: z.ZodError): string {
  return error.issues.map((issue) => `${where}: ${issuePath(issue.path)}: ${issue.message}`).join('\n');
}

/** Parses `input` with `schema`, or throws a UsageError naming every bad field of `where`. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, where: string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new UsageError(formatIssues(where, result.error), { cause: result.error });
  return result.data;
}
