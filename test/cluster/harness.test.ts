import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type PrivateCluster } from '../helpers/cluster.js';

describe('the private cluster', () => {
  let cluster: PrivateCluster;
  beforeAll(async () => {
    cluster = await startCluster({ masters: 3, replicasPerMaster: 1 });
    console.log(`cluster up in ${cluster.startupMs} ms`);
  });
  afterAll(async () => cluster?.stop());

  it('has three masters each with a replica, serving every slot', async () => {
    expect(cluster.nodes).toHaveLength(6);
    expect(await cluster.masters()).toHaveLength(3);
    const c = cluster.client();
    await c.set('{a}x', '1');
    await c.set('{b}x', '2');
    expect(await c.get('{a}x')).toBe('1');
    expect(await c.get('{b}x')).toBe('2');
  });

  it('a killed master is replaced by its replica, with the data it had acknowledged', async () => {
    const c = cluster.client();
    await c.set('{a}y', 'kept');
    await c.wait(1, 1000);
    const t = Date.now();
    const killed = await cluster.killMaster({ slot: 15495 }); // the slot of {a}
    console.log(`failover of ${killed.port} took ${Date.now() - t} ms`);
    const now = await cluster.masterOf(15495);
    expect(now.port).not.toBe(killed.port);
    expect(await c.get('{a}y')).toBe('kept');
  });
});
