/**
 * Warming a worker's code before the start. A cold engine starts its first arrivals late: the first
 * requests run its HTTP client, parser, metrics and encoders unoptimised, tens of milliseconds pass
 * before the first responses are read, arrivals pile up meanwhile, and each of them takes a VU of its
 * own and opens a connection of its own (k6 keeps connections per VU). At thousands of arrivals a
 * second those connects alone take the core, and the start never catches up: every dropped arrival
 * and most late ones of a run at high rate fell in its first second.
 *
 * So each worker first runs a short constant-arrival-rate scenario of its own: a built-in script
 * doing one GET per iteration against a loopback server in the worker itself, through the same
 * executor and VU runtime as the test, on the test's own metrics registry, sample encoders and HTTP
 * client (V8's optimised code depends on the objects it ran on: warmed on scratch ones, it was thrown
 * away with them). Its samples are discarded before the test records any; its VUs and connections
 * are its own, closed when it ends.
 */
import { createServer, type Server } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ScriptSource } from '../runtime/script.ts';
import { epochMs } from '../time.ts';
import { createRunner, type ExecutorContext, type ScenarioShare, wholeShare } from './executors.ts';

/** What a worker's machinery reports to the rest of the engine. */
export interface MachineryEvents {
  abort(reason: string): void;
  fail(message: string): void;
  log(level: string, text: string, vu: number): void;
  iterationError(share: ScenarioShare, message: string): void;
}

/** The warm-up reports nothing: its errors are not the test's. */
export const WARM_EVENTS: MachineryEvents = { abort() {}, fail() {}, log() {}, iterationError() {} };

/**
 * The warm-up's own objects (its executor context, runner and VUs) are kept for the life of the
 * worker: V8 throws away optimised code that embeds an object once that object is collected, which
 * happened in the test's first second.
 */
const kept: unknown[] = [];

export interface ScratchMachinery {
  ctx: ExecutorContext;
  /** Ends whatever the warm-up left in flight and throws away what it recorded. */
  done(): void;
}

/** Iterations a second and for how long: about two thousand iterations, enough for V8 to optimise the hot path. */
const WARM_RATE = 4000;
const WARM_MS = 500;
/** Whatever happens, the warm-up gives up after this long. */
const WARM_LIMIT_MS = 3000;

const WARM_SCRIPT: ScriptSource = {
  code: "const http = require('k6/http');\nexports.default = async function () {\n  await http.asyncRequest('GET', __ENV.WARM_URL);\n};\n",
  path: '<engine warm-up>',
  dir: '/',
  map: null,
};

const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';
const LAST_RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok';
/**
 * Each connection is closed after this many responses, so that closing and reopening connections
 * happens early in the warm-up. The first close changes the shape of objects the hot path uses (a
 * socket's handle gone, its state ended), which throws away code optimised before it: at the end
 * of the warm-up, that left the test to start on unoptimised code.
 */
const RESPONSES_PER_CONNECTION = 25;

/** A loopback server that answers every request head it reads with a small 200. */
function listen(): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      let tail = '';
      let answered = 0;
      socket.on('data', (chunk: Buffer) => {
        const text = tail + chunk.toString('latin1');
        let at = 0;
        for (let i = text.indexOf('\r\n\r\n'); i >= 0 && answered < RESPONSES_PER_CONNECTION; i = text.indexOf('\r\n\r\n', at)) {
          at = i + 4;
          if (++answered < RESPONSES_PER_CONNECTION) socket.write(RESPONSE);
          else socket.end(LAST_RESPONSE);
        }
        tail = text.slice(at);
      });
      socket.on('error', () => {});
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no address'));
      else resolve({ server, url: `http://127.0.0.1:${address.port}/` });
    });
  });
}

/**
 * Runs the warm-up scenario on scratch machinery made by `make`. Never fails the test: a machine
 * without a loopback interface just starts cold.
 */
export async function warmUp(make: (script: ScriptSource) => ScratchMachinery): Promise<void> {
  let listening: { server: Server; url: string };
  try {
    listening = await listen();
  } catch {
    return;
  }
  const m = make(WARM_SCRIPT);
  const share = wholeShare({
    name: 'warm-up',
    exec: 'default',
    startTimeMs: 0,
    gracefulStopMs: 1000,
    tags: {},
    env: { WARM_URL: listening.url },
    executor: 'constant-arrival-rate',
    rate: WARM_RATE,
    timeUnitMs: 1000,
    durationMs: WARM_MS,
    preAllocatedVUs: 8,
    maxVUs: 64,
  });
  const runner = createRunner(share, m.ctx);
  kept.push(m, runner);
  let limit: NodeJS.Timeout | null = null;
  try {
    await runner.prepare();
    runner.begin(epochMs());
    limit = setTimeout(() => runner.abort(), WARM_LIMIT_MS);
    await runner.done;
  } catch {
    // a warm-up that fails leaves the code colder, nothing else
  } finally {
    if (limit) clearTimeout(limit);
    runner.closeVus();
    m.done();
    listening.server.close();
  }
}

/**
 * A full garbage collection, run once everything the test needs before its start is made: the VUs
 * made just before the start (a hundred kilobytes each) would otherwise be collected, copied and
 * compacted in the test's first second, in pauses of tens of milliseconds that hold up every arrival
 * due meanwhile.
 */
export function collectGarbage(): void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc'); // threads started later (VU threads) get no gc global
    gc();
    gc();
  } catch {
    // without it the start is only slower
  }
}
