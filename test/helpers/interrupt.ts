import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Sends SIGINT to a bench process once the point whose id starts with `pointPrefix` has begun its
 * load window (its events file says so): an interruption mid-point, found by polling, not by timing.
 * Call `stop()` when the process has ended; `sent` tells whether the signal went out.
 */
export function interruptDuringLoad(results: string, pointPrefix: string): { setPid(pid: number): void; stop(): void; readonly sent: boolean } {
  let pid = 0;
  let sent = false;
  const timer = setInterval(async () => {
    if (sent || !pid) return;
    const [runId] = await readdir(results).catch(() => [] as string[]);
    if (!runId) return;
    const names = await readdir(join(results, runId, 'points')).catch(() => [] as string[]);
    const partial = names.find((d) => d.startsWith(pointPrefix) && d.endsWith('.partial'));
    if (!partial) return;
    const events = await readFile(join(results, runId, 'points', partial, 'events.ndjson'), 'utf8').catch(() => '');
    if (!sent && events.includes('"load-start"')) {
      sent = true;
      process.kill(pid, 'SIGINT');
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
