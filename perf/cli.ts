/**
 * `npm run perf -- <benchmark>`: the toolkit's own benchmarks. Each one prints its figures next to
 * a baseline measured in the same run. Add a benchmark as another sub-command.
 */
import { Command } from 'commander';
import { numberArg } from '../kernel/args.ts';
import { runCli } from '../kernel/cli.ts';
import { UsageError } from '../kernel/errors.ts';
import { createLogger } from '../kernel/log.ts';
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
  .option('--accept-new-host-keys', 'record the SSH host key of --ssh in known_hosts if it is seen for the first time (a changed key is always refused)')
  .action(async (options: { duration: number; ssh?: string; key?: string; knownHosts?: string; acceptNewHostKeys?: boolean }) => {
    const log = createLogger();
    let ssh: Parameters<typeof runSamplerPerf>[0]['ssh'];
    if (options.ssh) {
      const match = /^([^@]+)@([^:]+)(?::(\d+))?$/.exec(options.ssh);
      if (!match) throw new UsageError(`--ssh: expected user@host[:port], got "${options.ssh}"`);
      ssh = {
        username: match[1]!,
        host: match[2]!,
        port: match[3] ? Number(match[3]) : 22,
        privateKeyPath: options.key,
        knownHostsPath: options.knownHosts,
        acceptNewHostKey: Boolean(options.acceptNewHostKeys),
      };
    }
    const rows = await runSamplerPerf({ durationS: options.duration, ssh, log: (line) => log.info(line) });
    process.stdout.write(renderSamplerPerf(rows, options.duration));
  });

program
  .command('ingest')
  .description(
    'raw k6 samples → histograms: samples per second on one core, memory as the count grows, p99 error against the exact p99 (its own flags: ingest --help)',
  )
  .allowUnknownOption()
  .allowExcessArguments()
  .helpOption(false)
  .action((_options: unknown, command: Command) => perfIngest(command.args));

await runCli(program);
