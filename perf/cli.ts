/**
 * `npm run perf -- <benchmark>`: the toolkit's own benchmarks. Each one prints its figures next to
 * a baseline measured in the same run. Add a benchmark as another sub-command.
 */
import { Command } from 'commander';
import { numberArg } from '../bench/cli/args.ts';
import { runCli } from '../bench/cli/main.ts';
import { UsageError } from '../bench/errors.ts';
import { createLogger } from '../bench/log.ts';
import { perfEngine, USAGE as ENGINE_USAGE } from '../engine/perf/bench.ts';
import { perfIngest } from './ingest.ts';
import { renderSamplerPerf, runSamplerPerf } from './sampler.ts';


const program = new Command('perf').description("cloudlet-bench's own benchmarks");

program
  .command('sampler')
  .description("the node sampler's CPU cost at 1 Hz (from /proc/<pid>/stat), beside prometheus-node-exporter scraped at 1 Hz on the same host")
  .option('--duration <s>', 'measured window in seconds', numberArg(0, { exclusive: true }), 30)
  .option('--ssh <user@host[:port]>', 'measure on a node over SSH instead of this host (no node_exporter comparison)')
  .option('--key <path>', 'private key for --ssh (default: ssh-agent)')
  .option('--known-hosts <path>', 'known_hosts for --ssh (default ~/.ssh/known_hosts)')
  .action(async (options: { duration: number; ssh?: string; key?: string; knownHosts?: string }) => {
    const log = createLogger();
    let ssh;
    if (options.ssh) {
      const match = /^([^@]+)@([^:]+)(?::(\d+))?$/.exec(options.ssh);
      if (!match) throw new UsageError(`--ssh: expected user@host[:port], got "${options.ssh}"`);
      ssh = { username: match[1]!, host: match[2]!, port: match[3] ? Number(match[3]) : 22, privateKeyPath: options.key, knownHostsPath: options.knownHosts };
    }
    const rows = await runSamplerPerf({ durationS: options.duration, ssh, log: (line) => log.info(line) });
    process.stdout.write(renderSamplerPerf(rows, options.duration));
  });

program
  .command('ingest')
  .description('raw k6 samples → histograms: samples per second on one core, memory as the count grows, p99 error against the exact p99 (its own flags: ingest --help)')
  .allowUnknownOption()
  .allowExcessArguments()
  .helpOption(false)
  .action((_options: unknown, command: Command) => perfIngest(command.args));

program
  .command('engine')
  .description('the k6-compatible engine beside vegeta and autocannon: capacity, CPU, latency excess, schedule error, memory (its own flags: engine --help)')
  .allowUnknownOption()
  .allowExcessArguments()
  .helpOption(false)
  .action((_options: unknown, command: Command) => (command.args.includes('--help') ? void process.stdout.write(ENGINE_USAGE) : perfEngine(command.args)));

await runCli(program);
