import { describe, expect, it } from 'vitest';
import { farmWorld } from '../helpers/farm-world.js';
import { runTick } from '../../src/farm/tick.js';
import { Rules } from '../../src/bots/rules.js';
import { RETWEETER_LIMITS } from '../../src/bots/retweeter/index.js';

/**
 * A retweet through the publishing core when the process dies between X creating it and the bookkeeping
 * (the `after-post` point): the next tick finds the retweet on the account and records it; nothing is
 * retweeted twice, and the tweet's decision is `retweeted`. That retweet was the crashed tick's, and counts
 * toward the per-tick of the tick that found it.
 */
const world = farmWorld();

/**
 * A farm under `prefix`: a reader whose account follows an author of two tweets both rules match, and a
 * retweeter of `perTick`, with their own accounts; the reader has ticked. `onX`: what the retweeter's
 * account has retweeted, by id.
 */
async function retweeterFarm(prefix: string, perTick: string) {
  const owner = await world.sb.account(`${prefix}_o`);
  const me = await world.sb.account(`${prefix}_me`);
  await world.sb.account(`${prefix}_a`);
  await world.sb.follow(`${prefix}_o`, `${prefix}_a`);
  const t1 = await world.sb.tweet(`${prefix}_a`, 'tfctl один');
  const t2 = await world.sb.tweet(`${prefix}_a`, 'tfctl два');
  const f = await world.open(world.config(prefix, { xTimeoutMs: 1500 }));
  await f.create({ name: 'r', role: 'reader', token: owner.token, secret: owner.secret });
  await f.create({ name: 'rt', role: 'retweeter', source: 'r', perTick, minGap: '0', maxAge: '1d', token: me.token, secret: me.secret });
  await new Rules(world.client, f.store.keys).add('rt', [{ value: 'tfctl', type: 'track' }], RETWEETER_LIMITS, Date.now());
  await runTick(f, { names: ['r'], force: true });
  const onX = async () => (await world.sb.tweets(`${prefix}_me`)).flatMap((t) => (t.referenced_tweets ?? []).map((r) => r.id)).sort();
  return { f, t1, t2, onX };
}

describe('a retweeter and the publishing core', () => {
  it('a crash after X retweeted: the next tick finds the retweet on the account, none is sent twice', async () => {
    const { f: farm, t1, t2, onX } = await retweeterFarm('rp', '5');

    let crashes = 0;
    const crashed = await runTick(farm, {
      names: ['rt'],
      force: true,
      hook: (point) => {
        if (point === 'after-post' && crashes++ === 0) throw new Error('killed after the POST');
      },
    });
    expect(crashed.bots[0]).toMatchObject({ status: 'failed' });
    expect(await onX()).toEqual([t1.id]); // X has it; the farm did not record it
    expect(await world.client.hlen('rp:{rt}:intents')).toBe(1);

    await world.sb.resetRequests();
    await runTick(farm, { names: ['rt'], force: true });
    await runTick(farm, { names: ['rt'], force: true });
    expect(await onX()).toEqual([t1.id, t2.id].sort());
    const calls = await world.sb.requests();
    expect(Object.entries(calls).filter(([k]) => k.startsWith('POST /2/users/:id/retweets')).reduce((a, [, v]) => a + v, 0)).toBe(1); // only t2's
    expect(await world.client.hlen('rp:{rt}:intents')).toBe(0);
    const decisions = (await world.client.lrange('rp:{rt}:decisions', 0, -1)).map((d) => JSON.parse(d) as { tweet_id: string; decision: string });
    expect(decisions.map((d) => [d.tweet_id, d.decision]).sort()).toEqual([[t1.id, 'retweeted'], [t2.id, 'retweeted']].sort());
    expect(await world.client.hget('rp:bot:{rt}', 'n_posted')).toBe('2');
    expect(((await world.client.xpending('rp:{r}:timeline', 'rt')) as [number])[0]).toBe(0);
  });

  it("a retweet recovery found was the crashed tick's: it counts toward per-tick", async () => {
    const { f, t1, t2, onX } = await retweeterFarm('rq', '1');
    const crashed = await runTick(f, {
      names: ['rt'],
      force: true,
      hook: (point) => {
        if (point === 'after-post') throw new Error('killed after the POST');
      },
    });
    expect(crashed.bots[0]).toMatchObject({ status: 'failed' });
    expect(await onX()).toEqual([t1.id]);

    const next = await runTick(f, { names: ['rt'], force: true });
    expect(next.bots[0]?.posts?.map((p) => p.source)).toEqual([t1.id]);
    expect(await onX()).toEqual([t1.id]); // t2 waits for the next tick
    await runTick(f, { names: ['rt'], force: true });
    expect(await onX()).toEqual([t1.id, t2.id].sort());
    expect(((await world.client.xpending('rq:{r}:timeline', 'rt')) as [number])[0]).toBe(0);
  });
});
