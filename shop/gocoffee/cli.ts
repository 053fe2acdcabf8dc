import { Command, Option } from 'commander';
import { createLogger } from '../../bench/log.ts';
import { buildBinaries, planBuild } from './build.ts';
import { ARCHES, SOURCE_ENV, type Arch } from './source.ts';

/**
 * The real Go coffee shop's sub-commands of `npm run shop`: build-real, images-real, serve-real.
 * Registered by shop/cli.ts.
 */

const archOption = () => new Option('--arch <arch>', 'target platform').choices([...ARCHES]).default('amd64');
const srcOption = () => new Option('--src <dir>', `go-coffeeshop checkout (default: $${SOURCE_ENV}, else ../shared/upstream/go-coffeeshop beside the repo)`);

export function registerRealShop(program: Command): void {
  program
    .command('build-real')
    .description('Build the Go coffee shop\'s six services (static, CGO_ENABLED=0) with the Go toolchain, cached under ${XDG_CACHE_HOME:-~/.cache}/cloudlet-bench/go-coffee/<key>/<arch>/. Prints the binaries\' folder on stdout.')
    .addOption(archOption())
    .addOption(srcOption())
    .option('--out <dir>', 'build into this folder instead of the cache')
    .option('--dry-run', 'print the plan (source, key, go commands) and build nothing')
    .option('--json', 'with --dry-run: the plan as JSON')
    .action(async (options: { arch: Arch; src?: string; out?: string; dryRun?: boolean; json?: boolean }) => {
      if (options.dryRun) {
        const plan = await planBuild(options);
        if (options.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        else {
          const lines = [
            `source   ${plan.source} (${plan.sourceKey})`,
            `go       ${plan.go} (${plan.goVersion})`,
            `arch     ${plan.arch}`,
            `output   ${plan.dir} ${plan.cached ? '(cached: nothing to build)' : '(to build)'}`,
            `env      ${Object.entries(plan.steps[0]!.env).map(([k, v]) => `${k}=${v}`).join(' ')}`,
            ...plan.steps.map((step) => `build    ${step.command.map((arg) => (/\s/.test(arg) ? `'${arg}'` : arg)).join(' ')}`),
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        return;
      }
      const built = await buildBinaries(options, createLogger());
      process.stdout.write(`${built.dir}\n`);
    });
}
