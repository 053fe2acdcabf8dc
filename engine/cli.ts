/**
 * `npm run engine -- <command>`: run a k6 script, inspect one, or check a run's outputs agree. The one
 * place where errors become exit codes: bad input prints `error:` lines (one per problem), a script
 * error its file:line, and only a bug in the engine a stack trace.
 */
import { parseRunArgs, RUN_HELP } from './args.ts';
import { exitCodeFor } from '../kernel/cli.ts';
import { ScriptError, UsageError } from './errors.ts';
import { inspect, INSPECT_HELP } from './inspect.ts';
import { engineInterrupts, run } from './run.ts';
import { verifyRunOutputs } from './output/verify.ts';
import { ENGINE_NAME, ENGINE_VERSION } from './version.ts';

const HELP = `usage: npm run engine -- <command> [args]

A k6-compatible load generator: runs k6 scripts (the documented k6 JavaScript API) unchanged.

commands:
  run SCRIPT [flags]       run a test (run --help for the flags: k6 run's, plus --workers, --vu-mode)
  inspect SCRIPT [-e K=V]  print the consolidated options, scenarios and their VU mode, declared variables
  verify --summary-export FILE [--hdr FILE] [--samples FILE]
                           check that a run's summary, histogram log and raw samples count the same samples
  version                  print the version

k6 itself (AGPL-3.0) is neither bundled nor built; this is an independent implementation of its API.
`;

const VERIFY_HELP = 'usage: npm run engine -- verify --summary-export FILE [--hdr FILE] [--samples FILE]\n';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === 'version' || command === '--version' || command === '-v') {
    process.stdout.write(`${ENGINE_NAME} ${ENGINE_VERSION} (k6-compatible; node ${process.version})\n`);
    return 0;
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  switch (command) {
    case 'run':
      if (wantsHelp) {
        process.stdout.write(RUN_HELP);
        return 0;
      }
      return run(parseRunArgs(rest), interrupts);
    case 'inspect':
      if (wantsHelp) {
        process.stdout.write(INSPECT_HELP);
        return 0;
      }
      return inspect(parseRunArgs(rest));
    case 'verify': {
      if (wantsHelp) {
        process.stdout.write(VERIFY_HELP);
        return 0;
      }
      const flag = (name: string) => {
        const i = rest.indexOf(name);
        return i >= 0 ? (rest[i + 1] ?? null) : null;
      };
      const summaryExport = flag('--summary-export');
      if (!summaryExport) throw new UsageError(`verify needs --summary-export FILE\n${VERIFY_HELP}`);
      const result = await verifyRunOutputs({ summaryExport, hdrLog: flag('--hdr'), samples: flag('--samples') });
      for (const [name, c] of Object.entries(result.counts))
        process.stdout.write(
          `${name.padEnd(28)} summary ${c.summary}${c.hdr === null ? '' : `  hdr ${c.hdr}`}${c.samples === null ? '' : `  samples ${c.samples}`}\n`,
        );
      for (const p of result.problems) process.stderr.write(`error: ${p}\n`);
      process.stdout.write(result.ok ? 'all counts agree\n' : '');
      return result.ok ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command "${command}" (run, inspect, verify, version; see --help)`);
  }
}

/** Script errors keep their stack lines as they are (file:line first); every other error is the kernel's. */
function exitCode(error: unknown): number {
  if (error instanceof ScriptError) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  return exitCodeFor(error);
}

// Signals are handled from here on (a run listens to these). With READY_ENV set, run prints READY_LINE
// once the script is prepared; the harness holds a Ctrl-C until then, so it always ends with a summary.
const interrupts = process.argv[2] === 'run' ? engineInterrupts() : undefined;

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  code = exitCode(error);
}
// Exit now, as k6 does: nothing the script left behind (timers, sockets) may keep the process alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
