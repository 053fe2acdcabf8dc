import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { READY_LINE } from '../../engine/version.ts';

/** How long the load runs, once the engine schedules it, before the signal. */
const LOAD_BEFORE_SIGNAL_MS = 1000;

/**
 * Sends SIGINT to a bench process once the point whose id starts with `pointPrefix` is in its load
 * window and its generator is making requests: the point's events say the load began, and the
 * point's load.log has the load's own "ready" line of the engine (after the warm-up's, when there is
 * a warm-up: from then on the engine handles signals and schedules), then a second of load. Found by polling, not by
 * guessing a time: a signal while the engine was still bundling the script stopped a point before
 * its first request, and the test that wants the requests made before the signal failed.
 * Call `stop()` when the process has ended; `sent` tells whether the signal went out.
 */
export function interruptDuringLoad(results: string, pointPrefix: string): { setPid(pid: number): void; stop(): void; readonly sent: boolean } {
  let pid = 0;
  let sent = false;
  let busy = false;
  const count = (text: string) => text.split(READY_LINE).length - 1;
  const timer = setInterval(async () => {
    if (sent || busy || !pid) return;
    busy = true;
    try {
      const [runId] = await readdir(results).catch(() => [] as string[]);
      if (!runId) return;
      const names = await readdir(join(results, runId, 'points')).catch(() => [] as string[]);
      const partial = names.find((d) => d.startsWith(pointPrefix) && d.endsWith('.partial'));
      if (!partial) return;
      const dir = join(results, runId, 'points', partial);
      const events = await readFile(join(dir, 'events.ndjson'), 'utf8').catch(() => '');
      if (!events.includes('"load-start"')) return;
      const ready = count(await readFile(join(dir, 'load.log'), 'utf8').catch(() => ''));
      if (ready < (events.includes('"warmup-start"') ? 2 : 1)) return;
      sent = true;
      setTimeout(() => process.kill(pid, 'SIGINT'), LOAD_BEFORE_SIGNAL_MS);
    } finally {
      busy = false;
    }
  }, 100);
  return {
    setPid: (p) => (pid = p),
    stop: () => clearInterval(timer),
    get sent() {
      return sent;
    },
  };
}
