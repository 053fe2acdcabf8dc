import test from 'ava';
import { execFile } from 'node:child_process';
import { startLocalShop } from '../../../../shop/gocoffee/local.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { binaries, orderStatus, placeOrder } from './helpers.ts';

// Integration: the arm/v7 binaries run the whole order flow under qemu-arm-static (Debian's
// qemu-user-static, invoked explicitly: the host's binfmt settings are never touched) against
// Debian postgres and rabbitmq on loopback.

function fileType(path: string): Promise<string> {
  return new Promise((resolve, reject) => execFile('file', ['-b', path], (error, stdout) => (error ? reject(error) : resolve(stdout))));
}

test('the arm/v7 binaries are static 32-bit ARM and fulfil an order under qemu-arm-static', async (t) => {
  t.timeout(400_000);
  const arm = await binaries('arm/v7');
  t.is(arm.arch, 'arm/v7');
  for (const service of ['proxy', 'product', 'counter', 'barista', 'kitchen', 'web'] as const) {
    t.regex(await fileType(arm.binaries[service]), /ELF 32-bit LSB executable, ARM, EABI5.*statically linked/, service);
  }
  const shop = await startLocalShop({ binaries: arm, readyTimeoutMs: 180_000 });
  t.teardown(() => shop.stop());
  t.true(
    shop.processes.every((p) => p.child.child.spawnfile.endsWith('qemu-arm-static')),
    'every service runs under qemu-arm-static',
  );
  const member = await placeOrder(shop.url);
  await waitFor('the order to be FULFILLED', async () => ((await orderStatus(shop.url, member)) === 2 ? true : undefined), 90_000, 500);
  t.deepEqual(await shop.counts(), { orders: 1, fulfilled: 1, inProgress: 0 });
});
