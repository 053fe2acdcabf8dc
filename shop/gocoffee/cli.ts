import { type Command, InvalidArgumentError, Option } from 'commander';
import { intArg } from '../../kernel/args.ts';
import { onInterrupt } from '../../kernel/interrupt.ts';
import { untilAborted } from '../../kernel/sleep.ts';
import { ALL_IMAGES, ARCHES, SOURCE_ENV, type Arch, type ImageName } from './source.ts';

/**
 * The real Go coffee shop's sub-commands of `npm run shop`: build-real, images-real, serve-real.
 * Registered by shop/cli.ts. Each action imports what it needs when it runs: the reference shop's
 * container image carries shop/ and a few bench files only, and `shop serve` must start there.
 */

const logger = async () => (await import('../../kernel/log.ts')).createLogger();

const archOption = () => new Option('--arch <arch>', 'target platform').choices([...ARCHES]).default('amd64');
const srcOption = () => new Option('--src <dir>', `go-coffeeshop checkout (default: $${SOURCE_ENV}, else ../shared/upstream/go-coffeeshop beside the repo)`);

function imageList(value: string): ImageName[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(ALL_IMAGES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw new InvalidArgumentError(`unknown image ${unknown.join(', ') || '(none)'}: choose from ${ALL_IMAGES.join(', ')}`);
  return names as ImageName[];
}

export function registerRealShop(program: Command): void {
  program
    .command('build-real')
    .description(
      "Build the Go coffee shop's six services (static, CGO_ENABLED=0) with the Go toolchain, cached under $XDG_CACHE_HOME/cloudlet-bench (default ~/.cache/cloudlet-bench)/go-coffee/<key>/<arch>/. Prints the binaries' folder on stdout.",
    )
    .addOption(archOption())
    .addOption(srcOption())
    .option('--out <dir>', 'build into this folder instead of the cache')
    .option('--dry-run', 'print the plan (source, key, go commands) and build nothing')
    .option('--json', 'with --dry-run: the plan as JSON')
    .action(async (options: { arch: Arch; src?: string; out?: string; dryRun?: boolean; json?: boolean }) => {
      const { buildBinaries, planBuild } = await import('./build.ts');
      if (options.dryRun) {
        const plan = await planBuild(options);
        if (options.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        else {
          const lines = [
            `source   ${plan.source} (${plan.sourceKey})`,
            `go       ${plan.go} (${plan.goVersion})`,
            `arch     ${plan.arch}`,
            `output   ${plan.dir} ${plan.cached ? '(cached: nothing to build)' : '(to build)'}`,
            `env      ${Object.entries(plan.steps[0]!.env)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`,
            ...plan.steps.map((step) => `build    ${step.command.map((arg) => (/\s/.test(arg) ? `'${arg}'` : arg)).join(' ')}`),
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        return;
      }
      const built = await buildBinaries(options, await logger());
      process.stdout.write(`${built.dir}\n`);
    });

  program
    .command('images-real')
    .description(
      "Build the Go coffee shop's images as docker-archive tarballs (docker load format, platform in the config): the six services (static binary, config.yml, migrations, busybox-static) and postgres and rabbitmq from Debian packages (mmdebstrap). Cached by input under $XDG_CACHE_HOME/cloudlet-bench (default ~/.cache/cloudlet-bench)/go-coffee/images/; index.json there lists them. Prints one line per image: reference, platform, file.",
    )
    .addOption(archOption())
    .addOption(srcOption())
    .addOption(new Option('--only <names>', `comma-separated subset of ${ALL_IMAGES.join(',')}`).argParser(imageList))
    .option('--dry-run', 'print what would be built (reference, platform, cached or not) and build nothing')
    .option('--json', 'print JSON instead of lines')
    .action(async (options: { arch: Arch; src?: string; only?: ImageName[]; dryRun?: boolean; json?: boolean }) => {
      const { buildImages, indexPath, planImages } = await import('./images.ts');
      if (options.dryRun) {
        const plan = await planImages(options);
        if (options.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        else process.stdout.write(plan.map((e) => `${e.reference}\t${e.platform}\t${e.cached ? 'cached' : 'to build'}\t${e.from}`).join('\n') + '\n');
        return;
      }
      const records = await buildImages(options, await logger());
      if (options.json) process.stdout.write(`${JSON.stringify({ index: indexPath(), images: records }, null, 2)}\n`);
      else
        process.stdout.write(
          records
            .map((r) => `${r.reference}\t${[r.platform.os, r.platform.architecture, r.platform.variant].filter(Boolean).join('/')}\t${r.path}`)
            .join('\n') + '\n',
        );
    });

  program
    .command('serve-real')
    .description(
      'Run the real Go coffee shop on loopback (Debian postgres and rabbitmq-server in a throw-away folder, then product, counter, barista, kitchen and proxy; not web) until Ctrl-C. Prints the API URL on stdout when it serves.',
    )
    .addOption(new Option('--kitchen <n>', 'kitchen processes').argParser(intArg(1, 32)).default(1))
    .addOption(new Option('--barista <n>', 'barista processes').argParser(intArg(1, 32)).default(1))
    .addOption(new Option('--port <n>', 'API (proxy) port; 0 picks a free one').argParser(intArg(0, 65535)).default(5000))
    .addOption(archOption())
    .addOption(srcOption())
    .option('--keep', 'keep the throw-away folder (data, logs) after stopping')
    .action(async (options: { kitchen: number; barista: number; port: number; arch: Arch; src?: string; keep?: boolean }) => {
      const log = await logger();
      const { assertPortFree } = await import('../server.ts');
      const { startLocalShop } = await import('./local.ts');
      if (options.port !== 0) await assertPortFree('127.0.0.1', options.port);
      // Ctrl-C, SIGTERM and SIGHUP, to this process or its whole group, as one stop (a copy within
      // REPEAT_MS is the same one), from the start: a signal while the servers start stops them once
      // they are up, and the handler stays while they stop.
      const interrupts = onInterrupt();
      const shop = await startLocalShop({
        replicas: { kitchen: options.kitchen, barista: options.barista },
        port: options.port,
        arch: options.arch,
        src: options.src,
        keepDir: options.keep,
        log,
      });
      process.stdout.write(`${shop.url}\n`);
      log.info(`real go-coffee serving on ${shop.url} (kitchen ${options.kitchen}, barista ${options.barista}); folder ${shop.dir}; Ctrl-C stops it`);
      await untilAborted(interrupts.stopping);
      log.info('stopping');
      try {
        await shop.stop();
      } finally {
        interrupts.dispose();
      }
    });
}
