/**
 * `npm run cluster -- --cluster <inventory> <command>`: cluster control through the Docker Engine
 * API. One file per command in cluster/commands/; each goes through cluster/control.ts.
 */
import { Command } from 'commander';
import { runCli } from '../kernel/cli.ts';
import { deployCommand } from './commands/deploy.ts';
import { doctorCommand } from './commands/doctor.ts';
import { initCommand } from './commands/init.ts';
import { imagesCommand } from './commands/images.ts';
import { psCommand } from './commands/ps.ts';
import { rmCommand } from './commands/rm.ts';
import { scaleCommand } from './commands/scale.ts';
import { schemaCommand } from './commands/schema.ts';
import { stackCommand } from './commands/stack.ts';
import { statusCommand } from './commands/status.ts';
import { teardownCommand } from './commands/teardown.ts';

const program = new Command('cluster')
  .description('Control a Docker Swarm cloudlet through the Docker Engine API, from an inventory file. Durations: 500ms, 2s, 1m30s.')
  .option('--cluster <file>', 'inventory file (cluster/*.yml)', 'cluster/cloudlet.yml')
  .option('--accept-new-host-keys', 'record SSH host keys seen for the first time in known_hosts (a changed key is always refused)');

for (const command of [
  statusCommand,
  doctorCommand,
  initCommand,
  deployCommand,
  scaleCommand,
  rmCommand,
  psCommand,
  stackCommand,
  imagesCommand,
  teardownCommand,
  schemaCommand,
])
  program.addCommand(command());

await runCli(program);
