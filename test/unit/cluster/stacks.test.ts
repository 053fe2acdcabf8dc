import { readFile } from 'node:fs/promises';
import test from 'ava';
import { parse } from 'yaml';
import { loadInventory } from '../../../cluster/inventory/load.ts';
import { loadStack, stackFilePath } from '../../../cluster/stack/load.ts';

// The stack files in stacks/, converted without a cluster (pure, apart from reading the files).
const env = { POSTGRES_PASSWORD: 'pg-test', RABBITMQ_PASSWORD: 'mq-test', PORTAINER_ADMIN_PASSWORD_FILE: '/nonexistent/pw' };

test('go-coffee: the services, images and ports of the reference deployment, arm/v7 only', async (t) => {
  const { inventory } = await loadInventory('cluster/cloudlet.yml');
  const { plan } = await loadStack(stackFilePath('go-coffee'), 'go-coffee', inventory, env);
  t.deepEqual(plan.warnings, []);
  const summary = Object.fromEntries(
    plan.services.map((service) => [
      service.key,
      [service.spec.TaskTemplate.ContainerSpec.Image, (service.spec.EndpointSpec?.Ports ?? []).map((port) => port.TargetPort)],
    ]),
  );
  t.deepEqual(summary, {
    postgres: ['postgres:14-alpine', [5432]],
    rabbitmq: ['rabbitmq:3.11-management-alpine', [5672, 15672]],
    proxy: ['juangonzalout/go-coffeeshop-proxy:latest', [5000]],
    product: ['juangonzalout/go-coffeeshop-product:latest', [5001]],
    counter: ['juangonzalout/go-coffeeshop-counter:latest', [5002]],
    barista: ['juangonzalout/go-coffeeshop-barista:latest', []],
    kitchen: ['juangonzalout/go-coffeeshop-kitchen:latest', []],
    web: ['juangonzalout/go-coffeeshop-web:latest', [8888]],
  });
  for (const service of plan.services) t.deepEqual(service.spec.TaskTemplate.Placement?.Constraints, ['node.platform.arch == armv7l'], service.key);
  const web = plan.services.find((service) => service.key === 'web')!.spec.TaskTemplate.ContainerSpec.Env;
  t.true(web?.includes(`REVERSE_PROXY_URL=${inventory.values.REVERSE_PROXY_URL}`));
  const counter = plan.services.find((service) => service.key === 'counter')!.spec.TaskTemplate.ContainerSpec.Env ?? [];
  t.true(counter.includes('PG_URL=postgres://postgres:pg-test@postgres:5432/postgres'));
  t.true(counter.includes('PRODUCT_CLIENT_URL=product:5001'));
});

/**
 * Every environment value of every service (anchors merged) that holds a secret but does not take
 * it from a `${VAR}`: a variable named like a password, and the password part of a URL or DSN.
 * Unconditional: whatever the value looks like, it must be a reference.
 */
function writtenSecrets(text: string): string[] {
  const doc = parse(text, { merge: true }) as { services: Record<string, { environment?: Record<string, string> | string[] }> };
  const found: string[] = [];
  const reference = /^\$\{[A-Z_]+(:[-?][^}]*)?\}$/;
  for (const [name, service] of Object.entries(doc.services)) {
    const environment = service.environment ?? {};
    const entries = Array.isArray(environment)
      ? environment.map((line) => [line.split('=')[0] ?? '', line.slice(line.indexOf('=') + 1)])
      : Object.entries(environment);
    for (const [key = '', value] of entries) {
      const secrets = [
        ...(/PASS|SECRET|TOKEN/i.test(key) ? [String(value)] : []),
        ...[...String(value).matchAll(/:\/\/[^:/@\s]+:(\$\{[^}]*\}|[^@\s]*)@|password=(\$\{[^}]*\}|\S*)/gi)].map((m) => m[1] ?? m[2] ?? ''),
      ];
      if (secrets.some((secret) => !reference.test(secret))) found.push(`${name}.${key}`);
    }
  }
  return found;
}

test('go-coffee: a version key, and no password or proxy URL written into the file', async (t) => {
  const text = await readFile('stacks/go-coffee.yml', 'utf8');
  t.is((parse(text) as { version?: string }).version, '3.8');
  for (const stack of ['go-coffee', 'coffee-shop', 'portainer']) t.deepEqual(writtenSecrets(await readFile(`stacks/${stack}.yml`, 'utf8')), [], stack);
  // The check itself catches a password written into the file, in a variable or inside a URL.
  // (Before, a value was checked only if it looked like a password: "hunter2" passed.)
  t.deepEqual(writtenSecrets(text.replace(/POSTGRES_PASSWORD: "\$\{[^}]*\}"/, 'POSTGRES_PASSWORD: hunter2')), ['postgres.POSTGRES_PASSWORD']);
  t.deepEqual(writtenSecrets(text.replace(/amqp:\/\/[^@]*@/, 'amqp://coffee:hunter2@')).sort(), [
    'barista.RABBITMQ_URL',
    'counter.RABBITMQ_URL',
    'kitchen.RABBITMQ_URL',
  ]);
  // The seed cluster's shared password (spelled here in parts so the repository never holds it whole)
  // and a hand-edited proxy URL must not come back.
  t.false(text.includes(['P@ss', 'w0rd'].join('')));
  t.notRegex(text, /localhost:5000/);
  const { inventory } = await loadInventory('cluster/cloudlet.yml');
  // Both passwords missing: both named at once (not one per attempt).
  const { problems } = await loadStack(stackFilePath('go-coffee'), 'go-coffee', inventory, {});
  t.deepEqual(
    problems.map((problem) => problem.replace(/^.*go-coffee\.yml: /, '')),
    ['POSTGRES_PASSWORD: set POSTGRES_PASSWORD in the environment', 'RABBITMQ_PASSWORD: set RABBITMQ_PASSWORD in the environment'],
  );
});

test('portainer: agent on every node, UI on a manager, admin password from a Docker secret', async (t) => {
  const { inventory } = await loadInventory('cluster/cloudlet.yml');
  const { plan } = await loadStack(stackFilePath('portainer'), 'portainer', inventory, env);
  t.deepEqual(plan.warnings, []);
  const agent = plan.services.find((service) => service.key === 'agent')!.spec;
  const ui = plan.services.find((service) => service.key === 'portainer')!.spec;
  t.deepEqual(agent.Mode, { Global: {} });
  t.deepEqual(ui.TaskTemplate.Placement?.Constraints, ['node.role == manager']);
  t.deepEqual(
    plan.secrets.map((secret) => [secret.name, secret.file]),
    [['portainer_portainer_admin_password', '/nonexistent/pw']],
  );
  t.deepEqual(
    ui.TaskTemplate.ContainerSpec.Secrets?.map((secret) => secret.File.Name),
    ['portainer_admin_password'],
  );
  t.true(ui.TaskTemplate.ContainerSpec.Args?.join(' ').includes('--admin-password-file /run/secrets/portainer_admin_password'));
});

test('coffee-shop: dnsrr, host-mode port 5000, one task per node, a health check on item-types', async (t) => {
  const { inventory } = await loadInventory('cluster/cloudlet.yml');
  const { plan } = await loadStack(stackFilePath('coffee-shop'), 'coffee-shop', inventory, {});
  t.deepEqual(plan.warnings, []);
  const shop = plan.services[0]!.spec;
  t.deepEqual(shop.EndpointSpec, { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 5000, PublishedPort: 5000, PublishMode: 'host' }] });
  t.is(shop.TaskTemplate.Placement?.MaxReplicas, 1);
  t.regex(shop.TaskTemplate.ContainerSpec.Healthcheck?.Test?.join(' ') ?? '', /\/v1\/api\/item-types/);
  t.true(shop.TaskTemplate.ContainerSpec.Env?.includes('SHOP_REPLICAS=1'));
});
