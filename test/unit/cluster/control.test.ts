import test from 'ava';
import { buildStatus } from '../../../cluster/swarm/status.ts';
import { clusterSnapshot, stackImages } from '../../../cluster/control.ts';
import { parseInventory } from '../../../cluster/inventory/load.ts';
import type { SwarmNode, SwarmService } from '../../../cluster/swarm/model.ts';

test('the manifest snapshot: roles, leader, arch, engine, labels, resources', (t) => {
  const inventory = parseInventory('name: t\nnodes:\n  - { name: a, host: h1, role: manager }\n  - { name: b, host: h2, role: worker }\n', 'x.yml');
  const nodes: SwarmNode[] = [
    {
      ID: 'n1',
      Spec: { Role: 'manager', Labels: { phone: '1' } },
      Description: {
        Hostname: 'a',
        Platform: { Architecture: 'armv7l' },
        Engine: { EngineVersion: '20.10.24' },
        Resources: { NanoCPUs: 8e9, MemoryBytes: 6 * 1024 ** 3 },
      },
      Status: { State: 'ready' },
      ManagerStatus: { Leader: true, Reachability: 'reachable' },
    },
  ];
  const snapshot = clusterSnapshot(buildStatus(inventory, nodes, [], 'a'), nodes);
  t.deepEqual(snapshot, {
    nodes: [
      { name: 'a', role: 'manager', leader: true, arch: 'arm/v7', engineVersion: '20.10.24', labels: { phone: '1' }, cpuCount: 8, memTotalKB: 6 * 1024 ** 2 },
    ],
  });
});

test('stack images with the digest or pinned id, null for a bare tag', (t) => {
  const service = (name: string, image: string, label?: string): SwarmService => ({
    ID: name,
    Version: { Index: 1 },
    Spec: {
      Name: name,
      Labels: label ? { 'com.docker.stack.image': label } : {},
      TaskTemplate: { ContainerSpec: { Image: image } },
      Mode: { Replicated: { Replicas: 1 } },
    },
  });
  t.deepEqual(stackImages([service('s_b', 'shop:1@sha256:abc', 'shop:1'), service('s_a', 'sha256:def', 'cloudlet/shop:dev'), service('s_c', 'x:2')]), [
    { service: 's_a', image: 'cloudlet/shop:dev', digest: 'sha256:def' },
    { service: 's_b', image: 'shop:1', digest: 'sha256:abc' },
    { service: 's_c', image: 'x:2', digest: null },
  ]);
});
