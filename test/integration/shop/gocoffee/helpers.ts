import { execFile } from 'node:child_process';
import { silentLogger } from '../../../../kernel/log.ts';
import { buildBinaries, type BuiltBinaries } from '../../../../shop/gocoffee/build.ts';
import { resolveSource, type Arch } from '../../../../shop/gocoffee/source.ts';

/**
 * The upstream source and its binaries for the Go coffee shop tests. A missing source or Go makes
 * the test fail with one line saying how to provide it (never a skip).
 */
export function upstreamSource(): string {
  return resolveSource(undefined);
}

const built = new Map<Arch, Promise<BuiltBinaries>>();
export function binaries(arch: Arch = 'amd64'): Promise<BuiltBinaries> {
  if (!built.has(arch)) built.set(arch, buildBinaries({ arch, src: upstreamSource() }, silentLogger));
  return built.get(arch)!;
}

export interface Listener {
  address: string;
  port: number;
  pid: number;
  process: string;
}

/** Every listening TCP socket (`ss -ltnpH`), with its owner. */
export function listeners(): Promise<Listener[]> {
  return new Promise((resolve, reject) => {
    execFile('ss', ['-ltnpH'], (error, stdout) => {
      if (error) return reject(error);
      const found: Listener[] = [];
      for (const line of stdout.split('\n')) {
        const fields = line.trim().split(/\s+/);
        const local = fields[3];
        if (!local) continue;
        const colon = local.lastIndexOf(':');
        for (const match of line.matchAll(/\("([^"]+)",pid=(\d+)/g)) {
          found.push({
            address: local.slice(0, colon).replace(/^\[|\]$/g, ''),
            port: Number(local.slice(colon + 1)),
            pid: Number(match[2]),
            process: match[1]!,
          });
        }
      }
      resolve(found);
    });
  });
}

export interface Order {
  loyaltyMemberId: string;
  orderStatus: number;
}

/** Places one order (a drink and a food item) and returns its loyalty member id. */
export async function placeOrder(url: string): Promise<string> {
  const loyaltyMemberId = globalThis.crypto.randomUUID();
  const response = await fetch(`${url}/v1/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ commandType: 0, orderSource: 0, location: 0, loyaltyMemberId, baristaItems: [{ itemType: 0 }], kitchenItems: [{ itemType: 6 }] }),
  });
  if (response.status !== 200) throw new Error(`place order: HTTP ${response.status} ${await response.text()}`);
  return loyaltyMemberId;
}

/**
 * The status of the order of `loyaltyMemberId` in the fulfilment list (2 = FULFILLED), for a poll:
 * a status other than 200 (the proxy's 502 while a service restarts) is "not yet"; a request that
 * hangs fails after 10 s instead of holding the poll past its deadline.
 */
export async function orderStatus(url: string, loyaltyMemberId: string): Promise<number | undefined> {
  const response = await fetch(`${url}/v1/fulfillment-orders`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) return undefined;
  const body = (await response.json()) as { orders?: Order[] };
  return body.orders?.find((order) => order.loyaltyMemberId === loyaltyMemberId)?.orderStatus;
}
