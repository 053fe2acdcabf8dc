import type { Engine } from '../engine/engine.ts';

/** A node as the swarm-forming code needs it: its engine, its address and the role it should have. */
export interface SwarmMember {
  engine: Engine;
  name: string;
  /** Address advertised to the other nodes (and where they dial port 2377). */
  addr: string;
  role: 'manager' | 'worker';
}

/** Swarm-wide state of one engine, from `docker info`. */
export async function localSwarmState(engine: Engine): Promise<{ state: string; nodeId: string; controlAvailable: boolean }> {
  const info = (await engine.docker.info()) as { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } };
  return { state: info.Swarm?.LocalNodeState ?? 'inactive', nodeId: info.Swarm?.NodeID ?? '', controlAvailable: Boolean(info.Swarm?.ControlAvailable) };
}

/**
 * Makes the first member a swarm manager (init if needed) and joins every other member that is not
 * in a swarm yet, with the token for its role. Managers join one at a time: Raft adds one voter at
 * a time and a second join during a configuration change fails.
 */
export async function formSwarm(first: SwarmMember, others: SwarmMember[], log: (message: string) => void = () => {}): Promise<void> {
  const firstState = await localSwarmState(first.engine);
  if (firstState.state !== 'active') {
    log(`swarm init on ${first.name} (${first.addr})`);
    // Listen everywhere (the inventory's host may be a name or an address the node does not own);
    // advertise the inventory's address, which the other nodes can reach.
    await first.engine.docker.swarmInit({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: `${first.addr}:2377` });
  }
  const swarm = (await first.engine.docker.swarmInspect()) as { JoinTokens: { Manager: string; Worker: string } };
  for (const member of others) {
    const state = await localSwarmState(member.engine);
    if (state.state === 'active') continue;
    log(`${member.name} joins as ${member.role}`);
    await member.engine.docker.swarmJoin({
      ListenAddr: '0.0.0.0:2377',
      AdvertiseAddr: `${member.addr}:2377`,
      RemoteAddrs: [`${first.addr}:2377`],
      JoinToken: member.role === 'manager' ? swarm.JoinTokens.Manager : swarm.JoinTokens.Worker,
    });
  }
}
