import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../../kernel/errors.ts';
import { processSupervisor } from '../../kernel/supervise.ts';
import { waitUntilAnswering } from './ready.ts';

/**
 * The embedded default's system under test: the reference shop as local processes. "Scaling" to N
 * replicas means starting it with N workers; the time until it answers is the convergence time.
 * It runs under the process's supervisor (kernel/supervise.ts): in its own process group, deaf to
 * the terminal's Ctrl-C, and stopped with the bench however the bench ends.
 */

export interface LocalShopOptions {
  replicas: number;
  port: number;
  cpuMs: number;
  prepFactor: number;
  stationSlots: number;
  /** Give up when it has not answered by then. Default 20 s. */
  readyTimeoutMs?: number;
}

export interface RunningShop {
  url: string;
  pid: number;
  /** From spawn to the first successful API answer. */
  readyMs: number;
  stop(): Promise<void>;
}

const SHOP_CLI = fileURLToPath(new URL('../../shop/cli.ts', import.meta.url));

export async function startLocalShop(options: LocalShopOptions): Promise<RunningShop> {
  const started = performance.now();
  const supervisor = processSupervisor();
  const shop = supervisor.start({
    name: 'reference shop',
    command: process.execPath,
    args: [
      '--import',
      import.meta.resolve('tsx'),
      SHOP_CLI,
      'serve',
      '--port',
      String(options.port),
      '--replicas',
      String(options.replicas),
      '--cpu-ms',
      String(options.cpuMs),
      '--prep-factor',
      String(options.prepFactor),
      '--station-slots',
      String(options.stationSlots),
    ],
    output: 'pipe',
    stopSignal: 'SIGTERM',
  });
  const child = shop.child;
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void supervisor.stopChild(shop);
      reject(new EnvironmentError(`the reference shop did not start within ${(options.readyTimeoutMs ?? 20_000) / 1000} s: ${stderr.trim() || 'no output'}`));
    }, options.readyTimeoutMs ?? 20_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('http'));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      const reason =
        stderr
          .split('\n')
          .filter((l) => l.startsWith('error:'))
          .pop()
          ?.replace(/^error:\s*/, '') ?? stderr.trim();
      reject(new EnvironmentError(`the reference shop exited (code ${code}) before it was ready: ${reason || 'no output'}`));
    });
  });
  try {
    await waitUntilAnswering(url, options.readyTimeoutMs ?? 20_000, 'the reference shop');
  } catch (error) {
    await supervisor.stopChild(shop);
    throw error;
  }
  return {
    url,
    pid: shop.pid,
    readyMs: performance.now() - started,
    async stop() {
      await supervisor.stopChild(shop);
      await exited;
    },
  };
}
