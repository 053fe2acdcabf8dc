import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PROFILES } from '../scenarios/lib/env.ts';
import { ARCHES } from '../shop/gocoffee/source.ts';
import { UsageError } from '../kernel/errors.ts';
import { parseYamlText } from '../kernel/yaml.ts';
import { parseWith } from '../kernel/schema.ts';

/**
 * The bench config: what to run and how often. Defaults live here, in the schema. The embedded
 * default (`npm run bench` with no --config) is bench/configs/default.yml.
 */

/**
 * The bounds of a config, checked before anything starts (README, "Bench configs"). Each is far
 * beyond a sensible run and below what breaks one: a spawn's argument list, a generator's memory.
 */
export const LIMITS = {
  /** Replicas of one service: the reference shop runs one worker process each. */
  localShopReplicas: 64,
  /** Kitchen or barista processes of the local Go coffee shop (shop/gocoffee/local.ts validateReplicas). */
  localGoCoffeeReplicas: 32,
  /** Replicas of one service on a swarm. */
  swarmReplicas: 1000,
  /** Arrival rate of one point, iterations per second. */
  rateRps: 10_000,
  /** Load window of one point, seconds (a day). */
  durationS: 86_400,
  /** Warm-up, pause between points, cooldown wait, seconds (an hour). */
  waitS: 3_600,
  /** Settle time after convergence, seconds. */
  settleS: 600,
  repetitions: 100,
  /** Points of one run (configurations × repetitions). */
  points: 10_000,
  /** Scenario variables: each value, all of them together (bytes), and how many. */
  envValueBytes: 4_096,
  envTotalBytes: 65_536,
  envKeys: 256,
} as const;

/** A scenario variable's name (an environment variable's). */
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A plain list of replica counts is stored under this key: the target's main service. */
const MAIN_SERVICE_KEY = '';
const replicaCounts = z
  .array(z.number().int().min(1, 'replicas must be ≥ 1').max(LIMITS.swarmReplicas, `at most ${LIMITS.swarmReplicas} replicas of a service`))
  .min(1, 'list at least one replica count');
const seconds = (max: number, what: string) => z.number().max(max, `${what} is at most ${max} s`);

export const LocalShopTarget = z
  .object({
    kind: z.literal('local-shop'),
    /** Busy CPU time per request in the shop, ms. */
    cpuMs: z.number().min(0).max(10_000).default(1),
    /** Multiplies upstream preparation times; 0.1 turns a 10 s cappuccino into 1 s. */
    prepFactor: z.number().min(0).max(1000).default(0.1),
    stationSlots: z.number().int().min(1).max(10_000).default(5),
    /** Port for the shop; 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(0),
  })
  .strict();

/** The swarm from an inventory (--cluster): the stack is deployed once, then scaled point by point. */
export const SwarmTarget = z
  .object({
    kind: z.literal('swarm'),
    /** Stack file: a path, or a name in stacks/ (coffee-shop, go-coffee). */
    stack: z.string().min(1).default('coffee-shop'),
    /** Stack name on the swarm; default: the file's name. */
    stackName: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lower-case letters, digits, - and _')
      .optional(),
    /** The gateway service the load goes to; every node running one of its tasks gets a share. */
    entryService: z.string().min(1).default('shop'),
    /** Its host-mode published port. */
    entryPort: z.number().int().min(1).max(65535).default(5000),
    /** Remove the stack when the run ends (default: leave it, scaled back to its declared replicas). */
    removeAtEnd: z.boolean().default(false),
  })
  .strict();

/**
 * The real Go coffee shop on this machine (shop/gocoffee/local.ts): Debian postgres and
 * rabbitmq-server and the Go services on loopback, started once for the run and stopped with it
 * (on Ctrl-C and SIGKILL too). `matrix.replicas` scales kitchen (a plain list) and barista by
 * starting and stopping processes.
 */
export const LocalGoCoffeeTarget = z
  .object({
    kind: z.literal('local-go-coffee'),
    /** The binaries' platform: amd64, or arm/v7 under qemu-arm-static. */
    arch: z.enum(ARCHES).default('amd64'),
    /** A go-coffeeshop checkout; default $GO_COFFEE_SRC, else ../shared/upstream/go-coffeeshop beside the repository. */
    src: z.string().min(1).optional(),
    /** Port for the API (the proxy); 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(0),
    /** How long the shop may take to serve, seconds. */
    readyTimeoutS: z.number().positive().max(3600).default(90),
  })
  .strict();

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://192.168.1.101:5000' });

/**
 * A deployment that is already running (the stack on the phones, a shop started by hand): the bench
 * deploys nothing, scales nothing and restores nothing; it only sends load and, with --cluster,
 * samples the inventory's nodes.
 */
export const UrlTarget = z
  .object({
    kind: z.literal('url'),
    /** The gateway, or several (each gets an equal share of the load). */
    url: z.union([httpUrl, z.array(httpUrl).min(1, 'list at least one URL')]).transform((value) => (Array.isArray(value) ? value : [value])),
    /** How long each URL may take to answer GET /v1/api/item-types before a point, seconds. */
    readyTimeoutS: z.number().positive().max(3600).default(30),
  })
  .strict();

/** Before each point, wait until every node is below maxTempC, at most maxWaitS (then the point is flagged). */
export const Cooldown = z
  .object({
    maxTempC: z.number().min(20).max(120).default(60),
    maxWaitS: seconds(LIMITS.waitS, 'cooldown.maxWaitS').min(0).default(120),
  })
  .strict();

export const BenchConfig = z
  .object({
    name: z.string().min(1).default('bench'),
    /** Scenario file in scenarios/, e.g. coffee.ts. */
    scenario: z
      .string()
      .regex(/^[\w.-]+\.ts$/, 'expected a file name in scenarios/, such as coffee.ts')
      .default('coffee.ts'),
    profile: z.enum(PROFILES).default('load'),
    target: z
      .discriminatedUnion('kind', [LocalShopTarget, SwarmTarget, LocalGoCoffeeTarget, UrlTarget])
      .default({ kind: 'local-shop', cpuMs: 1, prepFactor: 0.1, stationSlots: 5, port: 0 }),
    matrix: z
      .object({
        /**
         * Replica counts: a list for the target's main service (the shop, or the swarm's entry service),
         * or per service, `{ counter: [1, 2], product: [1, 3] }`: every combination is a configuration.
         */
        replicas: z.preprocess((value) => (Array.isArray(value) ? { [MAIN_SERVICE_KEY]: value } : value), z.record(z.string(), replicaCounts)).optional(),
        /** Target arrival rates, iterations (≈ requests) per second. */
        ratesRps: z
          .array(z.number().positive('each rate must be > 0').max(LIMITS.rateRps, `a rate is at most ${LIMITS.rateRps} per second`))
          .min(1, 'list at least one rate'),
        repetitions: z.number().int().min(1).max(LIMITS.repetitions).default(1),
      })
      .strict(),
    /** Measured load window per point, seconds. */
    durationS: seconds(LIMITS.durationS, 'durationS').positive().default(20),
    /** Warm-up before each measured window, excluded from results, seconds. */
    warmupS: seconds(LIMITS.waitS, 'warmupS').min(0).default(3),
    /** Pause between points so the host settles, seconds (before the temperature gate). Was `cooldownS`. */
    pauseS: seconds(LIMITS.waitS, 'pauseS').min(0).default(2),
    /** The temperature gate before each point. */
    cooldown: Cooldown.default({ maxTempC: 60, maxWaitS: 120 }),
    /** After a scale has converged, how long tasks must stay running before the point starts, seconds. */
    settleS: seconds(LIMITS.settleS, 'settleS').min(0).default(2),
    /** Seed of the shuffled point order; the same seed gives the same order. */
    seed: z.number().int().default(1),
    /** Extra scenario variables (scenarios/lib/env.ts), e.g. PROBE_INTERVAL: "2". */
    scenarioEnv: z
      .record(
        z.string().regex(ENV_KEY, 'a variable name is letters, digits and _, not starting with a digit'),
        z
          .union([z.string(), z.number()])
          .transform(String)
          .refine((value) => Buffer.byteLength(value) <= LIMITS.envValueBytes, `a value is at most ${LIMITS.envValueBytes} bytes`),
      )
      .refine((env) => Object.keys(env).length <= LIMITS.envKeys, `at most ${LIMITS.envKeys} variables`)
      .default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const replicas = config.matrix.replicas;
    const at = (...path: (string | number)[]) => ['matrix', 'replicas', ...path];
    if (config.target.kind === 'url') {
      if (replicas)
        ctx.addIssue({
          code: 'custom',
          path: at(),
          message: 'target.kind url deploys and scales nothing (the deployment keeps its replicas): remove matrix.replicas',
        });
    } else if (!replicas) {
      ctx.addIssue({ code: 'custom', path: at(), message: `list replica counts, e.g. [1, 2] (they scale ${mainService(config)})` });
    } else {
      const scalable = SCALABLE[config.target.kind];
      for (const service of Object.keys(replicas)) {
        if (scalable && service !== MAIN_SERVICE_KEY && !scalable.includes(service)) {
          ctx.addIssue({
            code: 'custom',
            path: at(service),
            message: `target.kind ${config.target.kind} scales ${scalable.join(' and ')}${config.target.kind === 'local-go-coffee' ? ' (more processes)' : ''}, not ${service}: remove it, or use target.kind swarm`,
          });
        }
      }
      // Replicas against the target's own limit.
      const max = REPLICA_LIMIT[config.target.kind];
      for (const [service, counts] of Object.entries(replicas))
        counts.forEach((count, i) => {
          // Above swarmReplicas the field's own bound has said it already.
          if (count > max && count <= LIMITS.swarmReplicas)
            ctx.addIssue({
              code: 'custom',
              path: at(...(service === MAIN_SERVICE_KEY ? [] : [service]), i),
              message: `${count} replicas; the ${config.target.kind} target runs at most ${max}${PER_PROCESS[config.target.kind] ?? ''}`,
            });
        });
    }
    // The size of the plan.
    let points = config.matrix.ratesRps.length * config.matrix.repetitions;
    for (const counts of Object.values(replicas ?? {})) points *= counts.length;
    if (points > LIMITS.points)
      ctx.addIssue({ code: 'custom', path: ['matrix'], message: `${points} points; a run has at most ${LIMITS.points}: split it into several runs` });
  });

/** What a local target can scale; a swarm scales any service of its stack. */
const SCALABLE: Partial<Record<BenchConfig['target']['kind'], readonly string[]>> = {
  'local-shop': ['shop'],
  'local-go-coffee': ['kitchen', 'barista'],
};

/** What one replica of a local target is, said beside its limit. */
const PER_PROCESS: Partial<Record<BenchConfig['target']['kind'], string>> = {
  'local-shop': ' (one worker process each)',
  'local-go-coffee': ' (one process each)',
};

/** Replicas of one service per target kind (url scales nothing). */
const REPLICA_LIMIT: Record<Exclude<BenchConfig['target']['kind'], 'url'>, number> = {
  'local-shop': LIMITS.localShopReplicas,
  'local-go-coffee': LIMITS.localGoCoffeeReplicas,
  swarm: LIMITS.swarmReplicas,
};

export type BenchConfig = z.output<typeof BenchConfig>;

/** The service a plain replica list scales: the local shop, the local Go coffee shop's kitchen, or the swarm's entry service. */
export function mainService(config: Pick<BenchConfig, 'target'>): string {
  if (config.target.kind === 'swarm') return config.target.entryService;
  return config.target.kind === 'local-go-coffee' ? 'kitchen' : 'shop';
}

/** The replica matrix per service; empty for a target that scales nothing (url). */
export function replicaMatrix(config: BenchConfig): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [service, counts] of Object.entries(config.matrix.replicas ?? {})) out[service === MAIN_SERVICE_KEY ? mainService(config) : service] = counts;
  return out;
}

/** Fields renamed since they were first written: the old name is still read (a warning says the new one). */
const RENAMED: Record<string, { to: string; why: string }> = {
  cooldownS: { to: 'pauseS', why: 'the pause between points; `cooldown` is the temperature gate' },
};

/** Parses a config (a file's, or a run manifest's for `bench resume`); `warn` hears about renamed fields. */
export function parseBenchConfig(input: unknown, where: string, warn: (message: string) => void = () => {}): BenchConfig {
  let raw = input ?? {};
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const fields: Record<string, unknown> = { ...raw };
    for (const [old, { to, why }] of Object.entries(RENAMED)) {
      if (!(old in fields)) continue;
      if (to in fields) throw new UsageError(`${where}: ${old}: renamed ${to} (${why}), and both are set; keep ${to} only`);
      warn(`${where}: ${old} is now ${to} (${why}); ${old} is still read, rename it when you next edit the file`);
      fields[to] = fields[old];
      delete fields[old];
    }
    raw = fields;
  }
  return parseWith(BenchConfig, raw, where);
}

export async function loadBenchConfig(path: string, warn?: (message: string) => void): Promise<BenchConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, {
      cause: error,
    });
  }
  return parseBenchConfig(parseConfigText(text, path), path, warn);
}

/** The config file's text as plain data (kernel/yaml.ts: linear in size and keys, every problem with its line). */
export function parseConfigText(text: string, path: string): unknown {
  return parseYamlText(text, path);
}

/** The JSON Schema of bench configs, for editors (bench/config.schema.json is generated from it). */
export function benchConfigJsonSchema(): unknown {
  return z.toJSONSchema(BenchConfig, { io: 'input', unrepresentable: 'any' });
}
