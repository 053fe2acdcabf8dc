/**
 * Compose variable substitution as `docker stack deploy` does it: `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `$$` for a dollar.
 * Values come from the inventory first, then the environment (secrets stay in the environment).
 */
export interface Interpolation {
  value: unknown;
  /** Variables used but set nowhere; they became empty strings (docker warns the same way). */
  unset: string[];
  /**
   * Required variables (`${VAR:?message}`) that are not set, each once with its message, in the
   * order met: every one is reported at once, not one per attempt. They became empty strings.
   */
  missing: Array<{ name: string; message: string }>;
}

export function interpolate(input: unknown, lookup: (name: string) => string | undefined): Interpolation {
  const unset = new Set<string>();
  const missing = new Map<string, string>();
  const replace = (text: string): string =>
    text.replace(
      /\$(?:\$|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\})/g,
      (match, bare?: string, braced?: string, operator?: string, argument?: string) => {
        if (match === '$$') return '$';
        const name = (bare ?? braced)!;
        const value = lookup(name);
        const empty = value === undefined || (operator?.startsWith(':') && value === '');
        if (operator === ':-' || operator === '-') return (operator === ':-' ? empty : value === undefined) ? (argument ?? '') : value!;
        if (operator === ':?' || operator === '?') {
          if (operator === ':?' ? empty : value === undefined) {
            if (!missing.has(name)) missing.set(name, argument || 'required variable is not set');
            return '';
          }
          return value!;
        }
        if (value === undefined) {
          unset.add(name);
          return '';
        }
        return value;
      },
    );
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return replace(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    return value;
  };
  return { value: walk(input), unset: [...unset].sort(), missing: [...missing].map(([name, message]) => ({ name, message })) };
}
