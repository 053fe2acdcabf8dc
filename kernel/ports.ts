import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The ports `freePort` draws from: the 10,000 below the kernel's ephemeral range. A port the OS
 * picks (listen on 0) lies inside that range, where every outgoing connection on the machine also
 * takes its local port: between the probe and the caller's own bind, one of them can take it, and a
 * server that starts seconds later (postgres, rabbitmq, a Go service) fails with "address in use".
 * Below the range only another explicit pick can collide, and a random one rarely does.
 */
function pickRange(): [number, number] | null {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152 and the default above is below it.
  }
  return Number.isInteger(low) && low > 11_024 ? [low - 10_000, low - 1] : null;
}

/** Whether 127.0.0.1:`port` can be listened on right now (0: any port; resolves the port or null). */
function listenable(port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      port !== 0 && (error.code === 'EADDRINUSE' || error.code === 'EACCES') ? resolve(null) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port free on 127.0.0.1 right now, below the ephemeral range where it can (the caller binds it soon after). */
export async function freePort(): Promise<number> {
  const range = pickRange();
  if (range) {
    for (let attempt = 0; attempt < 32; attempt++) {
      const port = range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1));
      if ((await listenable(port)) !== null) return port;
    }
  }
  return (await listenable(0)) as number;
}
