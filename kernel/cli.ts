import { type Command, CommanderError, type Option } from 'commander';
import { isRepeatable } from './args.ts';
import { EXIT, InterruptedError, UsageError, errorMessage } from './errors.ts';
import { INTERRUPT_SIGNALS } from './interrupt.ts';
import { TOOL_VERSION } from './version.ts';

/** runCli's signal fallback, installed once per process (tests call runCli many times in one). */
let fallbackInstalled = false;

/**
 * The one place where errors become exit codes: usage and environment errors print one line
 * and exit 2, never a stack trace; anything else is a bug and prints its stack (exit 70, EX_SOFTWARE)
 * so it can be reported. Every sub-command inherits exitOverride so commander's own parse
 * errors (unknown option, missing argument) also exit 2. Every command also gets `--version`, an
 * option given twice is named (unless it is repeatable, kernel/args.ts `repeatable`), and a word
 * that is no command is named as such even when a default command would otherwise take it.
 */
export async function runCli(program: Command, argv: string[] = process.argv): Promise<void> {
  configure(program);
  // A signal no command is listening for (before a run installs its own handling, or after it has
  // finished and is only closing up) ends the process with the interrupted exit code rather than
  // as killed by the signal: npm then passes 130 on, as it does when the command handled it.
  if (!fallbackInstalled) {
    fallbackInstalled = true;
    for (const signal of INTERRUPT_SIGNALS) {
      process.on(signal, () => {
        if (process.listenerCount(signal) === 1) process.exit(EXIT.interrupted);
      });
    }
  }
  try {
    checkCommandWord(program, argv.slice(2));
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function configure(command: Command): void {
  command.exitOverride();
  command.showHelpAfterError('(add --help for usage)');
  if (!command.options.some((option) => option.long === '--version')) command.version(TOOL_VERSION, '-V, --version', 'print the version');
  for (const option of command.options) refuseRepeats(command, option);
  for (const sub of command.commands) configure(sub);
}

function refuseRepeats(command: Command, option: Option): void {
  if (isRepeatable(option) || option.long === '--version' || option.long === '--help') return;
  let seen = 0;
  command.on(`option:${option.name()}`, () => {
    seen++;
    if (seen > 1) throw new UsageError(`option '${option.flags}' given more than once: give it once`);
  });
}

/**
 * With a default command (`bench` runs `run`), commander hands it any word, and a typo of a command
 * becomes "too many arguments for 'run'". The first word, when it is not an option, must be a
 * command, or the default command must take arguments.
 */
function checkCommandWord(program: Command, args: string[]): void {
  const first = args[0];
  if (first === undefined || first.startsWith('-') || program.commands.length === 0) return;
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (names.includes(first) || first === 'help') return;
  const fallback = program.commands.find((c) => c.name() === (program as unknown as { _defaultCommandName: string | null })._defaultCommandName);
  if (fallback && fallback.registeredArguments.length > 0) return;
  throw new UsageError(`unknown command '${first}'; the commands are ${names.join(', ')} (add --help for usage)`);
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version output are successes; commander already printed its message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    process.stderr.write(errorLines(error.message));
    return error.exitCode;
  }
  if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') {
    // An interruption is no error: its line says what was kept.
    process.stderr.write(error instanceof InterruptedError ? `${error.message}\n` : errorLines(errorMessage(error)));
    return error.exitCode;
  }
  process.stderr.write(`internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}

/** Every line of a message as its own `error:` line (a config with several bad fields gives several). */
export function errorLines(message: string): string {
  return `${message
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (line.startsWith('error:') ? line : `error: ${line}`))
    .join('\n')}\n`;
}
