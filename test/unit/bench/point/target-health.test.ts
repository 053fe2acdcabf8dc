// A target that stops accepting connections is noticed within seconds: a target-down event with the
// time of its first refused connection, the point flagged; target-back when it answers again.
import { createServer, type Server } from 'node:net';
import test from 'ava';
import { PointEmitter } from '../../../../bench/point/emitter.ts';
import { watchTarget } from '../../../../bench/point/target-health.ts';
import type { RunEventBody } from '../../../../rundir/events.ts';

const listen = (server: Server, port = 0) =>
  new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const until = async (what: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

test('refused connections for the down time: target-down with the first failure time, and back', async (t) => {
  let server = createServer((socket) => socket.destroy());
  const port = await listen(server);
  const events: RunEventBody[] = [];
  const flags: string[] = [];
  const emit = new PointEmitter().observe({ onEvent: (e) => events.push(e), onFlag: (code) => flags.push(code) });
  const url = `http://127.0.0.1:${port}`;
  const watch = watchTarget([url], emit, { intervalMs: 50, downAfterMs: 300 });
  t.teardown(() => watch.stop());
  await new Promise((r) => setTimeout(r, 200));
  t.deepEqual(events, [], 'an answering target is not down');
  const downAt = Date.now();
  await close(server);
  await until(() => events.length > 0, 3000);
  const down = events[0] as Extract<RunEventBody, { type: 'target-down' }>;
  t.is(down.type, 'target-down');
  t.is(down.baseUrl, url);
  t.is(down.reason, 'ECONNREFUSED');
  t.true(down.sinceMs >= downAt - 60 && down.sinceMs <= downAt + 200, `${down.sinceMs - downAt} ms`);
  t.deepEqual(flags, ['target-down']);
  t.deepEqual(watch.wentDown, [url]);
  server = createServer((socket) => socket.destroy());
  await listen(server, port);
  t.teardown(() => close(server));
  await until(() => events.length > 1, 3000);
  t.is(events[1]?.type, 'target-back');
});
