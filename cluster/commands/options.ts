import { type Command, Option } from 'commander';
import { durationArg } from '../../kernel/args.ts';
import { createLogger, type Logger } from '../../kernel/log.ts';
import { type ClusterControl, type ClusterOptions, openCluster } from '../control.ts';

/** What every `cluster` sub-command shares: the global flags, opening the cluster, printing. */

export interface GlobalFlags {
  cluster: string;
  acceptNewHostKeys?: boolean;
}

export const log: Logger = createLogger();

/** Opens the cluster of the global `--cluster` inventory, runs `work`, and always lets go of it. */
export async function withControl<T>(
  command: Command,
  options: Omit<ClusterOptions, 'acceptNewHostKeys'>,
  work: (control: ClusterControl) => Promise<T>,
): Promise<T> {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const control = await openCluster(flags.cluster, log, { ...options, acceptNewHostKeys: flags.acceptNewHostKeys });
  try {
    return await work(control);
  } finally {
    control.close();
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** `--timeout` (a bare number is seconds, as before) for commands that wait. */
export function timeoutOption(defaultMs: number, what: string): Option {
  return new Option('--timeout <duration>', `give up ${what} after this long, e.g. 90s or 5m (a bare number is seconds)`)
    .argParser(durationArg({ bareUnit: 's' }))
    .default(defaultMs, `${defaultMs / 1000}s`);
}

/** `--timeout`, `--settle` (a bare number is milliseconds, as before) and `--json`, for deploy and scale. */
export function withWait(command: Command): Command {
  return command
    .addOption(timeoutOption(300_000, 'waiting for convergence'))
    .addOption(
      new Option('--settle <duration>', 'converged must hold this long, e.g. 2s or 500ms (a bare number is milliseconds)')
        .argParser(durationArg({ bareUnit: 'ms' }))
        .default(2000, '2s'),
    )
    .option('--json', 'print the result as JSON');
}

export interface WaitFlags {
  timeout: number;
  settle: number;
  json?: boolean;
}
