/** `perf engine`: the k6-compatible engine beside vegeta and autocannon (engine/perf/bench.ts does the work). */
import { Command } from 'commander';
import { perfEngine, USAGE } from '../engine/perf/bench.ts';

export function engineCommand(): Command {
  return new Command('engine')
    .description('the k6-compatible engine beside vegeta and autocannon: capacity, CPU, latency excess, schedule error, memory (its own flags: engine --help)')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action((_options: unknown, command: Command) => (command.args.includes('--help') ? void process.stdout.write(USAGE) : perfEngine(command.args)));
}
