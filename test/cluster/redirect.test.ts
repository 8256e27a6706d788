import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type PrivateCluster } from '../helpers/cluster.js';
import { connectRedis } from '../../src/store/connect.js';
import type { RedisClient } from '../../src/store/client.js';
import { script } from '../../src/store/scripts.js';

/**
 * A node answers MOVED for a slot it no longer serves (a failover, a reshard), and Redis runs nothing
 * for such a command. ioredis follows the redirect of a command sent alone, but not of one batched (auto-
 * pipelining) with others that succeeded: that MOVED reached the tick as the bot's failure, seen in the
 * failover test as "fw04: Redis: MOVED 4241 127.0.0.1:33365". Here a slot moves to another master behind
 * the farm's connection, and two scripts leave in one turn for the old master: one for a slot it still
 * serves, one for the slot that moved.
 */
let cluster: PrivateCluster;
let redis: RedisClient;

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 0 });
  redis = await connectRedis(cluster.url, true);
});
afterAll(async () => {
  redis?.disconnect();
  await cluster?.stop();
});

const slotOf = async (key: string) => Number(await redis.cluster('KEYSLOT', key));

describe('a script sent to a node that no longer serves its slot', () => {
  it('is sent again where the slot went, in a batch with scripts that ran', async () => {
    // Two tags on one master; the second one's slot is given to another master.
    const masters = await cluster.masters();
    const stays = 'stay';
    const from = await cluster.masterOf(await slotOf(`{${stays}}`));
    let moves = '';
    for (let i = 0; !moves && i < 200; i++) if ((await cluster.masterOf(await slotOf(`{m${i}}`))).port === from.port) moves = `m${i}`;
    expect(moves).not.toBe('');
    const register = script(redis, 'register-bot');
    const call = (tag: string) => register([`t:{${tag}}:bots`, `t:{${tag}}:due`], ['bot', Date.now()]);
    await Promise.all([call(stays), call(moves)]); // the scripts are loaded, the slot map is known

    const to = masters.find((m) => m.port !== from.port)!;
    const slot = await slotOf(`{${moves}}`);
    await redis.del(`t:{${moves}}:bots`, `t:{${moves}}:due`); // a slot moves empty
    for (const m of [to, from, ...masters.filter((x) => x !== to && x !== from)]) await cluster.ask(m.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', to.id);

    const [kept, moved] = await Promise.allSettled([call(stays), call(moves)]);
    expect(kept.status).toBe('fulfilled');
    expect(moved, String((moved as PromiseRejectedResult).reason)).toMatchObject({ status: 'fulfilled' });
    expect(await cluster.ask(to.port, 'SISMEMBER', `t:{${moves}}:bots`, 'bot')).toBe(1);
  });
});
