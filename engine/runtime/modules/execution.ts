/** `k6/execution`: the VU's, scenario's, instance's and test's state, and test.abort/test.fail. */
import { epochMs } from '../../time.ts';
import { AbortTestSignal } from '../backend.ts';
import type { VuRuntime } from '../vu.ts';

export function createExecution(vu: VuRuntime): Record<string, unknown> {
  const scenario = {
    get name() {
      return need(vu).name;
    },
    get executor() {
      return need(vu).executor;
    },
    get startTime() {
      return need(vu).startMs;
    },
    get progress() {
      return scenarioProgress(vu);
    },
    get iterationInInstance() {
      need(vu);
      return vu.iterationInInstance;
    },
    get iterationInTest() {
      need(vu);
      return vu.iterationInTest;
    },
  };
  const instance = {
    get iterationsInterrupted() {
      return vu.backend.instance().iterationsInterrupted;
    },
    get iterationsCompleted() {
      return vu.backend.instance().iterationsCompleted;
    },
    get vusActive() {
      return vu.backend.instance().vusActive;
    },
    get vusInitialized() {
      return vu.backend.instance().vusInitialized;
    },
    get currentTestRunDuration() {
      return vu.backend.instance().currentTestRunDuration;
    },
  };
  const test = {
    abort(reason?: string): void {
      const message = reason === undefined ? 'test aborted' : String(reason);
      vu.backend.abortTest(message);
      throw new AbortTestSignal(message);
    },
    fail(message?: string): void {
      vu.backend.failTest(message === undefined ? 'test marked as failed' : String(message));
    },
    get options() {
      return vu.config.options;
    },
  };
  const vuInfo = {
    get iterationInInstance() {
      return Math.max(0, vu.iter);
    },
    get iterationInScenario() {
      return Math.max(0, vu.iterationInScenario);
    },
    get idInInstance() {
      return vu.config.idInInstance;
    },
    get idInTest() {
      return vu.config.idInTest;
    },
    get tags() {
      return vu.userTags;
    },
    set tags(_value: unknown) {
      throw new TypeError('exec.vu.tags cannot be replaced; set its properties instead');
    },
    metrics: {
      get tags() {
        return vu.userTags;
      },
      get metadata() {
        return vu.metadata;
      },
    },
  };
  const exec = { scenario, instance, test, vu: vuInfo };
  return { ...exec, default: exec };
}

function need(vu: VuRuntime) {
  if (!vu.scenario || vu.phase === 'init') throw new Error('exec.scenario is only available while a scenario runs (not in init, setup or teardown)');
  return vu.scenario;
}

function scenarioProgress(vu: VuRuntime): number {
  const s = need(vu);
  if (!s.durationMs) return 0;
  return Math.min(1, Math.max(0, (epochMs() - s.startMs) / s.durationMs));
}
