import { Command } from 'commander';
import { runCli } from '../../kernel/cli.ts';

/**
 * Runs commands in-process through runCli, capturing stdout/stderr and the exit code. Tests that
 * use it must be `test.serial`: it swaps the process's write functions while it runs.
 */
export async function runCommand(
  commands: Command[],
  args: string[],
  options: { defaultCommand?: string } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    const program = new Command('bench');
    for (const command of commands) program.addCommand(command, { isDefault: command.name() === options.defaultCommand });
    await runCli(program, ['node', 'bench', ...args]);
    return { exitCode: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = before;
  }
}
