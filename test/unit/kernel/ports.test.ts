import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import test from 'ava';
import { freePort } from '../../../kernel/ports.ts';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

test('freePort: a port below the ephemeral range (where outgoing connections take theirs), free to listen on', async (t) => {
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  for (const port of ports) {
    t.true(port >= ephemeralLow - 10_000 && port < ephemeralLow, `${port} below ${ephemeralLow}`);
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
  t.true(new Set(ports).size > 1, 'random picks');
});

test.serial('freePort: a pick that is in use is passed over', async (t) => {
  // Listen on a port of the range, then make the first random pick land on it.
  const low = ephemeralLow - 10_000;
  const server = createServer();
  let port = low + 4321;
  while (
    !(await new Promise<boolean>((resolve) => {
      server.removeAllListeners('error');
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    }))
  )
    port++;
  const random = Math.random;
  let calls = 0;
  Math.random = () => (calls++ === 0 ? (port - low + 0.5) / 10_000 : random());
  try {
    const picked = await freePort();
    t.true(calls >= 2, 'a second pick');
    t.not(picked, port);
  } finally {
    Math.random = random;
    server.close();
  }
});
