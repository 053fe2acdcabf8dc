/**
 * A bundled script compiled once per thread and instantiated once per VU, plus mapping of its stack
 * traces back to the user's files and lines through the bundle's source map.
 *
 * Each VU calls the bundle's wrapper function itself, so every module-level binding of the script and
 * of everything it imports is the VU's own, as in k6. The VU's globals (__ENV, __VU, __ITER, console,
 * open, the timers) are the wrapper's parameters (the bundler maps __ITER to a getter on `__k6vu`).
 * VUs of one thread share that thread's global object and built-ins: faster than a vm context per VU
 * (whose every global lookup crosses an interceptor) and lighter; only a script that writes
 * properties of globalThis would see another VU's writes.
 */
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import vm from 'node:vm';

export interface ScriptSource {
  /** CommonJS code of the bundle. */
  code: string;
  /** Absolute path of the entry script, as the user named it. */
  path: string;
  /** Directory that open() resolves relative paths against. */
  dir: string;
  /** The bundle's source map (JSON), or null. */
  map: string | null;
}

export const BUNDLE_NAME = 'k6-script-bundle.js';
/** Parameters every VU passes to the bundle, in this order. */
export const WRAPPER_PARAMS = [
  'exports',
  'require',
  'module',
  '__k6vu',
  '__ENV',
  '__VU',
  'console',
  'open',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'Math',
] as const;
const WRAPPER_PREFIX = `(function (${WRAPPER_PARAMS.join(', ')}) {"use strict";\n`;

export class CompiledScript {
  /** The bundle's wrapper; call it once per VU with WRAPPER_PARAMS. */
  readonly wrapper: (...args: unknown[]) => void;
  private readonly sourceMap: SourceMap | null;

  constructor(readonly source: ScriptSource) {
    this.wrapper = new vm.Script(`${WRAPPER_PREFIX}${source.code}\n})`, { filename: BUNDLE_NAME }).runInThisContext() as (...args: unknown[]) => void;
    this.sourceMap = source.map ? new SourceMap(JSON.parse(source.map) as ConstructorParameters<typeof SourceMap>[0]) : null;
  }

  /** "file:line:col" in the user's sources for a position in the bundle (1-based line and column). */
  locate(line: number, column: number): string {
    const mapped = this.sourceMap?.findEntry(line - 2, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    if (!mapped || mapped.originalSource === undefined || mapped.originalLine === undefined) return `${BUNDLE_NAME}:${line}:${column}`;
    let file = mapped.originalSource;
    if (file.startsWith('file://')) file = new URL(file).pathname;
    const shown = file.startsWith('/') ? relative(process.cwd(), file) || file : file;
    return `${shown}:${mapped.originalLine + 1}:${(mapped.originalColumn ?? 0) + 1}`;
  }

  /** An error's text with its stack frames in the user's files: "Error: boom\n\tat default (script.js:12:9)". */
  describe(error: unknown): string {
    if (typeof error !== 'object' || error === null || !('stack' in error) || typeof error.stack !== 'string') return String(error);
    const stack = error.stack;
    const lines = stack.split('\n');
    const out: string[] = [];
    for (const line of lines) {
      if (!line.includes(BUNDLE_NAME)) {
        // Frames of the engine itself say nothing to the script's author.
        if (/^\s+at /.test(line)) continue;
        out.push(line);
        continue;
      }
      out.push(
        line
          .replace(new RegExp(`${BUNDLE_NAME.replace(/\./g, '\\.')}:(\\d+):(\\d+)`, 'g'), (_, l: string, c: string) => this.locate(Number(l), Number(c)))
          .replace(/^\s+at /, '\tat '),
      );
    }
    return out.join('\n');
  }

  /** The first user frame of an error, "file:line:col", or null. */
  where(error: unknown): string | null {
    const stack = typeof error === 'object' && error !== null && 'stack' in error && typeof error.stack === 'string' ? error.stack : '';
    const m = new RegExp(`${BUNDLE_NAME.replace(/\./g, '\\.')}:(\\d+):(\\d+)`).exec(stack);
    return m ? this.locate(Number(m[1]), Number(m[2])) : null;
  }
}
