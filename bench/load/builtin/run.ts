import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import type { ScenarioConfig } from '../../../scenarios/lib/env.ts';
import type { K6Options, K6Scenario, TaskName } from '../../../scenarios/lib/profiles.ts';
import { TASKS, type HttpResult, type Runtime } from '../../../scenarios/lib/tasks.ts';
import type { Recorder } from './recorder.ts';
import { sleep } from '../../../kernel/sleep.ts';
import { arrivalOffsetsMs, durationMs, FULL_SEGMENT, inSegment, scenarioDurationMs, segmentShare, type Segment } from './schedule.ts';

/**
 * Executes k6 options with the built-in engine: arrival-rate scenarios start iterations on a fixed
 * schedule (dropped, and counted, when `maxVUs` iterations are already in flight); constant-vus
 * scenarios loop. Every request, check and custom metric goes to the recorder.
 */

const REQUEST_TIMEOUT_MS = 60_000;

export interface RunControl {
  /** Aborted on SIGINT/SIGTERM: stop starting iterations, let running ones finish within gracefulStop. */
  signal: AbortSignal;
  /** This generator's share when several split the load (k6's --execution-segment); default all. */
  segment?: Segment;
}

function createRuntime(recorder: Recorder, scenarioName: string, agents: { http: Agent; https: HttpsAgent }): Runtime {
  const scenarioTags = { scenario: scenarioName };
  return {
    request(method, url, body, name): Promise<HttpResult> {
      return new Promise((resolve) => {
        const started = performance.now();
        const startedAt = new Date();
        const tags: Record<string, string> = { ...scenarioTags, name, method };
        const finish = (status: number, text: string | null, errorCode?: string) => {
          const durationMs = performance.now() - started;
          const expected = status >= 200 && status < 400;
          const all = { ...tags, status: String(status), expected_response: String(expected), ...(errorCode ? { error_code: errorCode } : {}) };
          recorder.add('http_reqs', 1, all, startedAt);
          recorder.add('http_req_duration', durationMs, all, startedAt);
          recorder.add('http_req_failed', expected ? 0 : 1, all, startedAt);
          resolve({ status, body: text });
        };
        const secure = url.startsWith('https:');
        const req = (secure ? httpsRequest : httpRequest)(
          url,
          {
            method,
            agent: secure ? agents.https : agents.http,
            headers: body === null ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
            timeout: REQUEST_TIMEOUT_MS,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
            res.on('error', () => finish(0, null, '1000'));
          },
        );
        // k6's error codes: 1050 request timeout, 1211 connection refused, 1000 generic.
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        req.on('error', (error: NodeJS.ErrnoException) =>
          finish(0, null, error.code === 'ECONNREFUSED' ? '1211' : error.code === 'ETIMEDOUT' ? '1050' : '1000'),
        );
        req.end(body ?? undefined);
      });
    },
    check(results, name) {
      let all = true;
      for (const [label, ok] of Object.entries(results)) {
        recorder.check(label, ok, { ...scenarioTags, name });
        all &&= ok;
      }
      return all;
    },
    trend(metric, valueMs) {
      recorder.add(metric, valueMs, scenarioTags);
    },
    count(metric, value) {
      recorder.add(metric, value, scenarioTags);
    },
    sleep: (seconds) => sleep(seconds * 1000),
    nowMs: () => Date.now(),
    random: () => Math.random(),
  };
}

async function runScenario(
  name: string,
  scenario: K6Scenario,
  config: ScenarioConfig,
  recorder: Recorder,
  control: RunControl,
  agents: { http: Agent; https: HttpsAgent },
): Promise<void> {
  const task = TASKS[scenario.exec as TaskName];
  const runtime = createRuntime(recorder, name, agents);
  const tags = { scenario: name };
  const inFlight = new Set<Promise<void>>();
  const iterate = () => {
    const started = performance.now();
    const run = task(runtime, config)
      .catch(() => undefined)
      .finally(() => {
        recorder.add('iterations', 1, tags);
        recorder.add('iteration_duration', performance.now() - started, tags);
        inFlight.delete(run);
      });
    inFlight.add(run);
  };
  const t0 = performance.now();
  const endMs = scenarioDurationMs(scenario);
  const segment = control.segment ?? FULL_SEGMENT;
  if (scenario.executor === 'constant-vus') {
    const loops = Array.from({ length: segmentShare(scenario.vus, segment) }, async () => {
      while (!control.signal.aborted && performance.now() - t0 < endMs) {
        const started = performance.now();
        await task(runtime, config).catch(() => undefined);
        recorder.add('iterations', 1, tags);
        recorder.add('iteration_duration', performance.now() - started, tags);
      }
    });
    await waitGraceful(
      Promise.all(loops).then(() => undefined),
      durationMs(scenario.gracefulStop),
      t0 + endMs,
    );
    return;
  }
  const maxVUs = segmentShare(scenario.maxVUs, segment);
  let index = 0;
  for (const offsetMs of arrivalOffsetsMs(scenario)) {
    if (!inSegment(index++, segment)) continue;
    await sleep(t0 + offsetMs - performance.now(), control.signal);
    if (control.signal.aborted) break;
    if (inFlight.size >= maxVUs) recorder.add('dropped_iterations', 1, tags);
    else iterate();
  }
  await sleep(t0 + endMs - performance.now(), control.signal);
  await waitGraceful(
    Promise.all(inFlight).then(() => undefined),
    durationMs(scenario.gracefulStop),
    performance.now(),
  );
}

/** Waits for running iterations, but no longer than gracefulStop after the scenario's end (k6's rule). */
async function waitGraceful(running: Promise<void>, gracefulMs: number, endAt: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, endAt + gracefulMs - performance.now()));
  });
  await Promise.race([running, limit]);
  clearTimeout(timer);
}

/** Runs every scenario of `options` at once; resolves with the test-run duration in ms. */
export async function runOptions(options: K6Options, config: ScenarioConfig, recorder: Recorder, control: RunControl): Promise<number> {
  const maxSockets = Object.values(options.scenarios).reduce((sum, s) => sum + ('maxVUs' in s ? s.maxVUs : s.vus), 0);
  const agents = { http: new Agent({ keepAlive: true, maxSockets }), https: new HttpsAgent({ keepAlive: true, maxSockets }) };
  const started = performance.now();
  try {
    await Promise.all(Object.entries(options.scenarios).map(([name, scenario]) => runScenario(name, scenario, config, recorder, control, agents)));
  } finally {
    agents.http.destroy();
    agents.https.destroy();
  }
  return performance.now() - started;
}
