/**
 * `npm run perf -- <benchmark>`: the toolkit's own benchmarks. Each one prints its figures next to
 * a baseline measured in the same run. Add a benchmark as another sub-command.
 */
import { Command } from 'commander';
import { runCli } from '../kernel/cli.ts';
import { configCommand } from './config.ts';
import { engineCommand } from './engine.ts';
import { ingestCommand } from './ingest.ts';
import { samplerCommand } from './sampler.ts';

const program = new Command('perf')
  .description("cloudlet-bench's own benchmarks")
  .addCommand(samplerCommand())
  .addCommand(ingestCommand())
  .addCommand(configCommand())
  .addCommand(engineCommand());

await runCli(program);
