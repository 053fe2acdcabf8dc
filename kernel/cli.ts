import { type Command, CommanderError } from 'commander';
import { EXIT, UsageError, errorMessage } from './errors.ts';

/**
 * The one place where errors become exit codes: usage and environment errors print one line
 * and exit 2, never a stack trace; anything else is a bug and prints its stack (exit 70, EX_SOFTWARE)
 * so it can be reported. Every sub-command inherits exitOverride so commander's own parse
 * errors (unknown option, missing argument) also exit 2.
 */
export async function runCli(program: Command, argv: string[] = process.argv): Promise<void> {
  configure(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function configure(command: Command): void {
  command.exitOverride();
  command.showHelpAfterError('(add --help for usage)');
  for (const sub of command.commands) configure(sub);
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version output are successes; commander already printed its message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    // A message naming several problems has one per line, each a line of its own `error:`.
    process.stderr.write(
      `${error.message
        .split('\n')
        .map((line) => `error: ${line}`)
        .join('\n')}\n`,
    );
    return error.exitCode;
  }
  if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') {
    process.stderr.write(`${errorMessage(error)}\n`);
    return error.exitCode;
  }
  process.stderr.write(`internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
