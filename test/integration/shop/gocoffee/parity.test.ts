import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { K6Summary } from '../../../../rundir/k6.ts';
import { startLocalShop } from '../../../../shop/gocoffee/local.ts';
import { startSingle, SHOP_DEFAULTS } from '../../../../shop/server.ts';
import type { Behaviour } from '../../../../shop/model.ts';
import { REPO_ROOT, runEntry } from '../../../helpers/cli.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';
import { binaries } from './helpers.ts';

// Integration: the scenario's own checks (scenarios/coffee.ts through the engine,
// smoke profile, a few seconds, probe on) pass against the reference shop in both behaviours and
// against the real Go coffee shop on loopback: upstream's responses (spaces in the JSON or not,
// the Grpc-Metadata-Content-Type header, item types in random order, the list in no particular
// order) must not fail a check.

const CLI = `${REPO_ROOT}engine/cli.ts`;
const SCRIPT = `${REPO_ROOT}scenarios/coffee.ts`;

interface CheckResult {
  passes: number;
  fails: number;
  failed: string[];
  fulfilled: number;
  requests: number;
}

async function runScenario(t: { teardown(fn: () => unknown): void }, url: string, load = { rate: 3, durationS: 6, probeIntervalS: 1 }): Promise<CheckResult> {
  const dir = await tempDir(t as never);
  const summaryPath = join(dir, 'summary.json');
  const result = await runEntry(
    CLI,
    [
      'run',
      SCRIPT,
      '-e',
      `BASE_URL=${url}`,
      '-e',
      'PROFILE=smoke',
      '-e',
      `RATE=${load.rate}`,
      '-e',
      `DURATION=${load.durationS}s`,
      '-e',
      `PROBE_INTERVAL=${load.probeIntervalS}`,
      '-e',
      'PROBE_POLL=0.25',
      '-e',
      'PROBE_TIMEOUT=40',
      '--summary-export',
      summaryPath,
      '--quiet',
    ],
    { timeoutMs: 90_000 },
  );
  if (result.code !== 0) throw new Error(`generator exited ${result.code}: ${result.stderr}`);
  const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as K6Summary & { root_group?: { checks?: Record<string, { name: string; fails: number }> } };
  const checks = summary.metrics.checks as { passes: number; fails: number };
  const failed = Object.values(summary.root_group?.checks ?? {})
    .filter((c) => c.fails > 0)
    .map((c) => c.name);
  return {
    passes: checks.passes,
    fails: checks.fails,
    failed,
    fulfilled: (summary.metrics.order_fulfilled_ms as { count?: number } | undefined)?.count ?? 0,
    requests: (summary.metrics.http_reqs as { count: number }).count,
  };
}

for (const behaviour of ['reference', 'upstream'] as Behaviour[]) {
  test(`every check passes against the reference shop (${behaviour} behaviour)`, async (t) => {
    const shop = await startSingle({ ...SHOP_DEFAULTS, port: 0, cpuMs: 0, prepFactor: 0.2, behaviour });
    t.teardown(() => shop.close());
    const result = await runScenario(t, shop.url);
    t.is(result.fails, 0, `failed checks: ${result.failed.join(', ')}`);
    t.true(result.passes >= 20, `passes: ${result.passes}`);
    t.true(result.fulfilled >= 1, 'the probe found its order FULFILLED');
  });
}

test('every check passes against the real Go coffee shop', async (t) => {
  t.timeout(300_000);
  const shop = await startLocalShop({ binaries: await binaries() });
  t.teardown(() => shop.stop());
  // The real API's details the checks must accept.
  const types = await fetch(`${shop.url}/v1/api/item-types`);
  t.is(types.headers.get('grpc-metadata-content-type'), 'application/grpc');
  // One kitchen makes about 1.2 items/s: a gentle rate and a 20 s window, so the first probe order is
  // made in the window even on a busy machine (12 s missed it under a full suite's load).
  const result = await runScenario(t, shop.url, { rate: 1, durationS: 20, probeIntervalS: 3 });
  t.is(result.fails, 0, `failed checks: ${result.failed.join(', ')}`);
  t.true(result.passes >= 10, `passes: ${result.passes}`);
  t.true(result.fulfilled >= 1, 'the probe found its order FULFILLED in the real list');
});
