import type { RedisClient } from './client.js';
import { asCluster } from './slots.js';

/**
 * One command per bot, all sent in one pipeline and answered in one round trip, in order: how the farm
 * reads many bots now that no script may read across them (each bot's keys are in its own cluster slot).
 * An explicit pipeline of raw calls: measured against auto-pipelining of typed commands, it spares ioredis
 * a promise and a reply conversion per bot (2,000 bots' hashes: 130 ms against 240).
 */
export async function perBot(redis: RedisClient, commands: Array<[command: string, ...args: string[]]>): Promise<unknown[]> {
  if (commands.length === 0) return [];
  // A cluster's pipeline must stay on one node: there each command goes to its slot's node, and the
  // client's auto-pipelining writes each node's share at once.
  const cluster = asCluster(redis);
  if (cluster) return Promise.all(commands.map(([command, ...args]) => cluster.call(command, ...args)));
  const pipe = redis.pipeline();
  for (const [command, ...args] of commands) pipe.call(command, ...args);
  const replies = (await pipe.exec()) ?? [];
  return replies.map(([err, reply]) => {
    if (err) throw err;
    return reply;
  });
}

/** A hash from HGETALL's raw reply (field, value, field, value…). */
export function hashOf(flat: unknown): Record<string, string> {
  const list = flat as string[];
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) h[list[i]!] = list[i + 1]!;
  return h;
}
