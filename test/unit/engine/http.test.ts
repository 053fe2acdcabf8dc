// The HTTP client's parts that need no network: the response parser, cookies, URL targets.
import test from 'ava';
import { Exchange, InFlight } from '../../../engine/http/client.ts';
import { ResponseParser } from '../../../engine/http/parser.ts';
import { CookieJar } from '../../../engine/http/cookies.ts';
import { parseTarget } from '../../../engine/http/url.ts';
import { selectJson } from '../../../engine/runtime/response.ts';

const parse = (chunks: string[], noBody = false) => {
  const p = new ResponseParser();
  p.reset(true, noBody);
  let done = false;
  for (const c of chunks) done = p.feed(Buffer.from(c, 'latin1')) || done;
  return { p, done, body: p.bodyBuffer()?.toString() };
};

test('content-length bodies, split anywhere', (t) => {
  const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello';
  for (let cut = 1; cut < text.length; cut++) {
    const { p, done, body } = parse([text.slice(0, cut), text.slice(cut)]);
    t.true(done);
    t.is(p.status, 200);
    t.is(body, 'hello');
    t.is(p.header('x-a'), '1');
    t.true(p.keepAlive);
  }
});

test('chunked bodies with extensions and trailers, split anywhere', (t) => {
  const text = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n';
  for (let cut = 1; cut < text.length; cut++) {
    const { p, done, body } = parse([text.slice(0, cut), text.slice(cut)]);
    t.true(done, `cut at ${cut}`);
    t.is(p.status, 201);
    t.is(body, 'abcde');
  }
});

test('no body for HEAD, 204 and 304; read-until-close without a length; 1xx skipped', (t) => {
  t.true(parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'], true).done);
  t.true(parse(['HTTP/1.1 204 No Content\r\n\r\n']).done);
  const close = parse(['HTTP/1.0 200 OK\r\n\r\npart']);
  t.false(close.done);
  t.true(close.p.closed());
  t.is(close.p.bodyBuffer()?.toString(), 'part');
  t.false(close.p.keepAlive);
  const continued = parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']);
  t.true(continued.done);
  t.is(continued.p.status, 200);
  t.is(continued.body, 'ok');
  const bad = parse(['SMTP ready\r\n\r\n']);
  t.true(bad.done);
  t.regex(bad.p.error ?? '', /malformed status line/);
  t.false(parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).p.keepAlive);
});

test('cookies: domain and path matching, expiry, secure, host-only', (t) => {
  const jar = new CookieJar();
  const site = parseTarget('http://shop.example.com/cart/items');
  const other = parseTarget('http://example.com/');
  const secure = parseTarget('https://shop.example.com/cart/x');
  if (!site || !other || !secure) throw new Error('targets');
  const now = Date.now();
  const set = jar.storeFromResponse(
    site,
    ['a=1', 'b=2; Path=/; Domain=example.com', 'c=3; Max-Age=0', 'd=4; Secure; Path=/', 'e=5; Domain=elsewhere.org'],
    now,
  );
  t.deepEqual(
    set.map((c) => c.name),
    ['a', 'b', 'c', 'd'],
  );
  t.deepEqual(
    jar
      .forTarget(site, now)
      .map((c) => c.name)
      .sort(),
    ['a', 'b'],
  );
  t.deepEqual(
    jar.forTarget(other, now).map((c) => c.name),
    ['b'],
  );
  t.deepEqual(
    jar
      .forTarget(secure, now)
      .map((c) => c.name)
      .sort(),
    ['a', 'b', 'd'],
  );
  t.deepEqual(jar.namesForTarget(site, now), { a: ['1'], b: ['2'] });
  jar.delete(site, 'a');
  t.deepEqual(
    jar.forTarget(site, now).map((c) => c.name),
    ['b'],
  );
});

test('URL targets and JSON selectors', (t) => {
  t.like(parseTarget('http://127.0.0.1:8080/a?b=1'), {
    https: false,
    hostname: '127.0.0.1',
    port: 8080,
    path: '/a?b=1',
    host: '127.0.0.1:8080',
    origin: 'http://127.0.0.1:8080',
  });
  t.like(parseTarget('https://[::1]/'), { https: true, hostname: '::1', port: 443 });
  t.is(parseTarget('ftp://x/'), null);
  const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, 'x.y': 3 };
  t.is(selectJson(doc, 'a.b.1.c'), 2);
  t.is(selectJson(doc, 'a.b.#'), 2);
  t.deepEqual(selectJson(doc, 'a.b.#.c'), [1, 2]);
  t.is(selectJson(doc, 'x\\.y'), 3);
  t.is(selectJson(doc, 'a.nope'), undefined);
});

test('requests in flight: oldest first, and a removed exchange keeps no link to another', (t) => {
  const list = new InFlight();
  const [a, b, c] = [new Exchange(), new Exchange(), new Exchange()];
  a.startMs = 1;
  b.startMs = 2;
  c.startMs = 3;
  for (const ex of [a, b, c, a]) list.add(ex);
  t.is(list.size, 3);
  t.is(list.head, a);
  list.delete(b);
  list.delete(b);
  t.is(list.size, 2);
  t.is(b.prevInFlight, null);
  t.is(b.nextInFlight, null);
  t.is(a.nextInFlight, c);
  list.delete(a);
  t.is(list.head, c);
  t.is(a.nextInFlight, null);
  list.add(a);
  // Each one in flight when the walk began, even where ending one ends another.
  const seen: number[] = [];
  list.each((ex) => {
    seen.push(ex.startMs);
    list.delete(ex);
    if (ex === c) list.delete(a);
  });
  t.deepEqual(seen, [3, 1]);
  t.is(list.size, 0);
  t.is(list.head, null);
});
