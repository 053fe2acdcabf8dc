/**
 * What a harness asks before it runs a script: does it load with these variables (its declared
 * variables accept every one, its init code runs, its options are valid), and which variables does
 * it declare. Nothing starts: no thread, no request. Throws the engine's typed errors: ConfigError
 * (one problem per bad field or `-e` key), ScriptError (the init code threw: file:line first).
 */
import { parseRunArgs } from './args.ts';
import { prepare } from './run.ts';

export interface ScriptFacts {
  /** The variables the script declares (its exported `env`), or null when it declares none. */
  variables: string[] | null;
}

export async function checkScript(script: string, env: Record<string, string>): Promise<ScriptFacts> {
  const argv = [script, '--vu-mode', 'async', ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`])];
  const prepared = await prepare(parseRunArgs(argv));
  return { variables: prepared.envSpec ? Object.keys(prepared.envSpec) : null };
}
