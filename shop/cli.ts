import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { intArg, numberArg } from '../kernel/args.ts';
import { runCli } from '../kernel/cli.ts';
import { onInterrupt } from '../kernel/interrupt.ts';
import { untilAborted } from '../kernel/sleep.ts';
import { registerRealShop } from './gocoffee/cli.ts';
import { SHOP_DEFAULTS, type ShopOptions, assertPortFree, startPrimary, startSingle } from './server.ts';

const program = new Command('shop').description("The reference coffee shop: the Go coffee shop's HTTP API, served by local processes.").helpCommand(true);

program
  .command('serve')
  .description('Serve the API on one port with N worker processes ("replicas"). Prints the URL on stdout when ready; stops on SIGINT/SIGTERM.')
  .addOption(new Option('--port <n>', 'TCP port (0 picks a free one)').env('SHOP_PORT').argParser(intArg(0, 65535)).default(SHOP_DEFAULTS.port))
  .addOption(new Option('--host <address>', 'address to listen on').env('SHOP_HOST').default(SHOP_DEFAULTS.host))
  .addOption(new Option('--replicas <n>', 'worker processes behind the port').env('SHOP_REPLICAS').argParser(intArg(1, 64)).default(SHOP_DEFAULTS.replicas))
  .addOption(new Option('--cpu-ms <ms>', 'busy CPU time per request').env('SHOP_CPU_MS').argParser(numberArg(0)).default(SHOP_DEFAULTS.cpuMs))
  .addOption(
    new Option('--prep-factor <x>', 'multiplies upstream preparation times (cappuccino 10 s …); 0 = instant')
      .env('SHOP_PREP_FACTOR')
      .argParser(numberArg(0))
      .default(SHOP_DEFAULTS.prepFactor),
  )
  .addOption(
    new Option('--station-slots <n>', 'items prepared at once per station (barista, kitchen)')
      .env('SHOP_STATION_SLOTS')
      .argParser(intArg(1))
      .default(SHOP_DEFAULTS.stationSlots),
  )
  .addOption(
    new Option(
      '--behaviour <mode>',
      "reference: our imitation; upstream: the real shop's behaviour under load (every item to the kitchen at its rate, list not in insertion order, its response details)",
    )
      .choices(['reference', 'upstream'])
      .env('SHOP_BEHAVIOUR')
      .default('reference'),
  )
  .addOption(new Option('--reverse-proxy-url <url>', "what GET /reverse-proxy-url answers (default: this shop's URL)").env('REVERSE_PROXY_URL'))
  .action(async (options: ShopOptions) => {
    let shop: { url: string; close(): Promise<void> };
    if (options.replicas === 1) {
      await assertPortFree(options.host, options.port);
      shop = await startSingle(options);
    } else {
      const entry = fileURLToPath(new URL('./worker.ts', import.meta.url));
      shop = await startPrimary(options, entry, ['--import', import.meta.resolve('tsx')]);
    }
    process.stdout.write(`${shop.url}\n`);
    process.stderr.write(
      `reference shop listening on ${shop.url} with ${options.replicas} replica(s), cpu ${options.cpuMs} ms/request, prep factor ${options.prepFactor}, behaviour ${options.behaviour ?? 'reference'}\n`,
    );
    // Ctrl-C, SIGTERM and SIGHUP, to this process or its whole group (npm forwards a copy): one stop,
    // with the handler kept while the shop closes.
    const interrupts = onInterrupt();
    await untilAborted(interrupts.stopping);
    await shop.close();
    process.exit(0);
  });

registerRealShop(program);

await runCli(program);
