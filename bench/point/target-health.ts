import { connect } from 'node:net';
import type { PointEmitter } from './emitter.ts';

/**
 * Watches the gateways while the load runs: a TCP connect to each every `intervalMs`, nothing sent,
 * so the target sees no extra requests. A gateway whose connections are refused, reset or time out
 * for `downAfterMs` in a row is down: a `target-down` event (with the first failed connect's time)
 * and the point's `target-down` flag; `target-back` when it accepts connections again. A generator
 * counts those requests as failures in milliseconds, so without this a dead target looks fast.
 */

export interface TargetHealthOptions {
  intervalMs?: number;
  downAfterMs?: number;
  connectTimeoutMs?: number;
}

export interface TargetWatch {
  stop(): void;
  /** Gateways that were down at some time while watched. */
  readonly wentDown: string[];
}

function probe(url: URL, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
    socket.setTimeout(timeoutMs);
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('connect', () => done(null));
    socket.once('timeout', () => done(`no connection within ${timeoutMs} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

export function watchTarget(baseUrls: string[], emit: PointEmitter, options: TargetHealthOptions = {}): TargetWatch {
  const intervalMs = options.intervalMs ?? 500;
  const downAfterMs = options.downAfterMs ?? 3000;
  const timeoutMs = options.connectTimeoutMs ?? 1000;
  const wentDown: string[] = [];
  const state = new Map(baseUrls.map((url) => [url, { failingSinceMs: null as number | null, down: false, busy: false }]));
  const tick = () => {
    for (const [baseUrl, s] of state) {
      if (s.busy) continue;
      s.busy = true;
      const startedMs = Date.now();
      void probe(new URL(baseUrl), timeoutMs).then((reason) => {
        s.busy = false;
        if (stopped) return;
        if (reason === null) {
          if (s.down && s.failingSinceMs !== null) emit.event({ type: 'target-back', baseUrl, downMs: Date.now() - s.failingSinceMs });
          s.failingSinceMs = null;
          s.down = false;
          return;
        }
        s.failingSinceMs ??= startedMs;
        if (!s.down && Date.now() - s.failingSinceMs >= downAfterMs) {
          s.down = true;
          if (!wentDown.includes(baseUrl)) wentDown.push(baseUrl);
          const seconds = ((Date.now() - s.failingSinceMs) / 1000).toFixed(1);
          emit.event({ type: 'target-down', baseUrl, sinceMs: s.failingSinceMs, reason });
          emit.flag(
            'target-down',
            `the target at ${baseUrl} stopped accepting connections at ${new Date(s.failingSinceMs).toISOString()} (${reason}, ${seconds} s and more): requests sent to it failed, so this point measures an outage, not the configuration`,
          );
        }
      });
    }
  };
  let stopped = false;
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    wentDown,
  };
}
