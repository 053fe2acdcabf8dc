import test from 'ava';
import { stateServices } from '../../../../bench/target/swarm.ts';
import { parseInventory } from '../../../../cluster/inventory/load.ts';
import { loadStack, stackFilePath } from '../../../../cluster/stack/load.ts';

// What the swarm target tells a per-point state reset: which services run postgres and rabbitmq.
const env = { POSTGRES_PASSWORD: 'p', RABBITMQ_PASSWORD: 'r', REVERSE_PROXY_URL: 'http://x:5000' };

test('the services running postgres and rabbitmq, by their images, before and after the image map', async (t) => {
  for (const extra of ['', 'images: go-coffee-local\n']) {
    const inventory = parseInventory(`name: t\n${extra}nodes: [{ name: a, host: h, role: manager }]\n`, 'x.yml');
    const { plan } = await loadStack(stackFilePath('go-coffee'), 'shop', inventory, env);
    t.deepEqual(stateServices(plan), { postgres: 'shop_postgres', rabbitmq: 'shop_rabbitmq' }, extra || 'no map');
  }
  const inventory = parseInventory('name: t\nnodes: [{ name: a, host: h, role: manager }]\n', 'x.yml');
  t.deepEqual(stateServices((await loadStack(stackFilePath('coffee-shop'), 'coffee-shop', inventory, env)).plan), { postgres: undefined, rabbitmq: undefined });
});
