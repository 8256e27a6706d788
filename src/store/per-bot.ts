import type { RedisClient } from './client.js';
import { asCluster } from './slots.js';

/**
 * One command per bot, all sent in one pipeline and answered in one round trip, in order: how the farm
 * reads many bots now that no script may read across them (each bot's keys are in its own cluster slot).
 * An explicit pipeline of raw calls: measured against auto-pipelining of typed commands, it spares ioredis
 * a promise and a reply conversion per bot (2,000 bots' hashes: 130 ms against 240).
 */
export async function perBot(redis: RedisClient, commands: Array<[command: string, ...args: string[]]>): Promise<unknown[]> {
  const replies = await sendEach(redis, commands);
  for (const r of replies) if (r instanceof Error) throw r;
  return replies;
}

/**
 * Commands sent together, their replies in order, an error reply as an Error in its place (not a
 * rejection): on one Redis one explicit pipeline; on a cluster, whose pipeline must stay on one node, each
 * command goes to its slot's node and the client's auto-pipelining writes each node's share at once.
 */
export async function sendEach(redis: RedisClient, commands: ReadonlyArray<ReadonlyArray<string | number>>): Promise<unknown[]> {
  if (commands.length === 0) return [];
  const cluster = asCluster(redis);
  if (cluster) return Promise.all(commands.map(([command, ...args]) => cluster.call(String(command), ...args).catch((err: unknown) => err)));
  const pipe = redis.pipeline();
  for (const [command, ...args] of commands) pipe.call(String(command), ...args);
  return ((await pipe.exec()) ?? []).map(([err, reply]) => err ?? reply);
}

/** A hash from HGETALL's raw reply (field, value, field, value…). */
export function hashOf(flat: unknown): Record<string, string> {
  const list = flat as string[];
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) h[list[i]!] = list[i + 1]!;
  return h;
}
