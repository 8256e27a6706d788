import type { Cluster } from 'ioredis';
import type { RedisClient } from './client.js';
import { slotOf } from './slots.js';

/**
 * On a Redis Cluster a master answers a write before its replica has it (replication is asynchronous):
 * should the master die in between, the replica that takes over never had the write. What must outlive a
 * failover — a writer's intents, written before its POSTs so that a post is never made twice nor lost —
 * is followed by `WAIT 1` on the same connection (a pipeline with the key sends it to the key's master),
 * which returns once a replica has every write the connection made before it. When none has them in time
 * and the master has a replica (one cut off, lagging or hung), the write is refused as not durable: the
 * caller must not go on to what it protects, and a later tick retries, its intents settled by recovery.
 * A master with no replica at all (one that took over and has none yet) cannot do better than its own
 * append-only file, and its writes count as they are: such a master is remembered for a while, so its
 * writers do not each wait the full second. On one Redis there is nothing to wait for.
 */
export const REPLICA_WAIT_MS = 1000;
/** How long a master found without replicas is not waited for (a tick's length, about). */
const BARE_FOR_MS = 30_000;
/** Masters (host:port) found without replicas, until when. */
const bare = new Map<string, number>();

export async function waitReplicated(redis: RedisClient, key: string): Promise<void> {
  if (!redis.isCluster) return;
  const node = (redis as Cluster).slots[slotOf(key)]?.[0];
  if (node !== undefined && (bare.get(node) ?? 0) > Date.now()) return;
  const replies = (await redis.pipeline().exists(key).wait(1, REPLICA_WAIT_MS).exec()) ?? [];
  const [err, acked] = replies[1] ?? [new Error('WAIT gave no reply'), 0];
  if (err) throw err;
  if (Number(acked) >= 1) return;
  if ((await replicasOf(redis as Cluster, key)) === 0) {
    if (node !== undefined) bare.set(node, Date.now() + BARE_FOR_MS);
    return;
  }
  throw new Error(`NOREPLICAS: no replica had the write to ${key} within ${REPLICA_WAIT_MS} ms, so a failover could lose it`);
}

/** How many replicas the master of a key has, failed ones included, as that master sees it (CLUSTER NODES). */
async function replicasOf(redis: Cluster, key: string): Promise<number> {
  // Keyless in a pipeline with the key, CLUSTER NODES is answered by the key's master.
  const replies = (await redis.pipeline().exists(key).call('CLUSTER', 'NODES').exec()) ?? [];
  const [err, nodes] = replies[1] ?? [new Error('CLUSTER NODES gave no reply'), ''];
  if (err) throw err;
  // <id> <addr> <flags> <master id> …: the master's own line has `myself`; its replicas name it as their master.
  const lines = String(nodes).split('\n').map((l) => l.split(' '));
  const me = lines.find((f) => f[2]?.split(',').includes('myself'))?.[0];
  return lines.filter((f) => me && f[3] === me).length;
}
