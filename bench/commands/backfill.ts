import { Command } from 'commander';
import { UsageError } from '../../kernel/errors.ts';
import { createLogger } from '../../kernel/log.ts';
import { backfillRun } from '../influx/backfill.ts';
import { INFLUX_URL_ENV, influxUrlFrom, openInflux, parseInfluxUrl } from '../influx/client.ts';
import { requireDirectory } from './options.ts';

/** `bench backfill <runDir> [--influx-url URL]` */
export function backfillCommand(): Command {
  return new Command('backfill')
    .description('write a run directory (node samples and k6 samples) into InfluxDB, e.g. after InfluxDB was down during the run; safe to repeat')
    .argument('<runDir>', 'run directory, e.g. results/<runId>')
    .option('--influx-url <url>', `InfluxDB 1.x as http://host:8086/<database> (default: $${INFLUX_URL_ENV})`)
    .option('--quiet', 'no progress on stderr')
    .action(async (runDir: string, options: { influxUrl?: string; quiet?: boolean }) => {
      const url = influxUrlFrom(options.influxUrl);
      if (!url) throw new UsageError(`backfill: no InfluxDB given; pass --influx-url http://host:8086/<database> or set ${INFLUX_URL_ENV}`);
      const target = parseInfluxUrl(url);
      await requireDirectory(runDir, 'backfill: run');
      const log = createLogger({ quiet: options.quiet });
      const result = await backfillRun(runDir, openInflux(target), (m) => log.progress(m));
      log.done();
      process.stdout.write(
        `backfilled run ${result.runId}: ${result.points} points, ${result.nodePoints} node and ${result.k6Points} k6 InfluxDB points into ${target.url}\n`,
      );
    });
}
