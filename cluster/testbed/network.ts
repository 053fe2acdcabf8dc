import type { TestbedLayout } from './layout.ts';
import { run } from './sh.ts';

/**
 * The testbed's network: a bridge in a namespace of its own (a bridge in the host namespace would
 * drop node-to-node traffic through bridge-nf-call-iptables and a FORWARD DROP policy), one veth
 * to the host for the harness, one veth per node. The nodes get no default route, so nothing they
 * run can reach past the testbed.
 */
export async function createNetwork(layout: TestbedLayout, ip: string): Promise<void> {
  const br = layout.bridgeNetns;
  await run(ip, ['netns', 'add', br]);
  await run(ip, ['-n', br, 'link', 'set', 'lo', 'up']);
  await run(ip, ['-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
  await run(ip, ['-n', br, 'link', 'set', 'br0', 'up']);
  await run(ip, ['link', 'add', layout.hostVeth, 'type', 'veth', 'peer', 'name', 'host', 'netns', br]);
  await run(ip, ['-n', br, 'link', 'set', 'host', 'master', 'br0', 'up']);
  await run(ip, ['addr', 'add', `${layout.hostIp}/24`, 'dev', layout.hostVeth]);
  await run(ip, ['link', 'set', layout.hostVeth, 'up']);
  for (const node of layout.nodes) {
    await run(ip, ['netns', 'add', node.netns]);
    await run(ip, ['-n', br, 'link', 'add', node.bridgePort, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns]);
    await run(ip, ['-n', br, 'link', 'set', node.bridgePort, 'master', 'br0', 'up']);
    await run(ip, ['-n', node.netns, 'addr', 'add', `${node.ip}/24`, 'dev', 'eth0']);
    await run(ip, ['-n', node.netns, 'link', 'set', 'eth0', 'up']);
    await run(ip, ['-n', node.netns, 'link', 'set', 'lo', 'up']);
  }
}

/** Cuts a node off the bridge (or reconnects it), to simulate a lost phone. */
export async function setNodeLink(layout: TestbedLayout, ip: string, nodeName: string, up: boolean): Promise<void> {
  const node = layout.nodes.find((candidate) => candidate.name === nodeName);
  if (!node) throw new Error(`no node ${nodeName}`);
  await run(ip, ['-n', layout.bridgeNetns, 'link', 'set', node.bridgePort, up ? 'up' : 'down']);
}

/** Removes every namespace and link of the testbed; missing pieces are fine. */
export async function removeNetwork(layout: TestbedLayout, ip: string): Promise<void> {
  await run(ip, ['link', 'del', layout.hostVeth], { allowFail: true });
  for (const node of layout.nodes) await run(ip, ['netns', 'del', node.netns], { allowFail: true });
  await run(ip, ['netns', 'del', layout.bridgeNetns], { allowFail: true });
}
