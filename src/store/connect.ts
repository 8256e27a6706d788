import type { Cluster, Redis } from 'ioredis';
import { clusterProblem, hidePassword, redisDatabase, seedUrls } from '../config.js';
import { OperationalError, UsageError } from '../errors.js';
import type { RedisClient } from './client.js';

/**
 * Connects to Redis and checks the connection is the one configured, failing fast with one clear line:
 * a CLI run from cron must not hang retrying, nor write a farm into the wrong database. A password
 * Redis refuses or a database it does not have is a setting to fix (exit 2); a Redis that does not
 * answer is an operational failure (exit 1). Commands after the first still get ioredis's reconnects.
 */
export async function connectRedis(url: string, cluster = false): Promise<RedisClient> {
  if (cluster) return connectCluster(url);
  return connectOne(url);
}

async function connectOne(url: string): Promise<Redis> {
  const db = redisDatabase(url);
  if (typeof db === 'string') throw new UsageError(db);
  // Loaded here, not at the top: a command that only lists never needs it (see oneshot.ts).
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
    // The ready check sends INFO and parses it: a round trip a short-lived CLI does not need.
    enableReadyCheck: false,
    // CLIENT SETINFO reads ioredis's package.json and waits a round trip before the first command.
    disableClientInfo: true,
    enableOfflineQueue: true,
    // Many bots tick at once: commands issued in the same event-loop turn go out in one write.
    enableAutoPipelining: true,
    retryStrategy: (times) => (times > 3 ? null : 100 * times),
  });
  // Errors are reported through the failing command; keep ioredis from printing them too, but remember
  // the socket's own reason (ECONNREFUSED…), which says more than "Connection is closed".
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => (lastError = err));
  const where = hidePassword(url);
  try {
    await redis.connect();
    // ioredis selects the database while connecting but, should SELECT fail, only emits an error and
    // goes on in database 0. Selecting it again here is the check; it also meets NOAUTH at once.
    await redis.select(db);
  } catch (err) {
    redis.disconnect();
    const reason = (err instanceof Error && /ERR|NOAUTH|WRONGPASS/.test(err.message) ? err : lastError ?? err) as Error;
    throw connectError(where, db, reason instanceof Error ? reason.message : String(reason));
  }
  return redis;
}

/**
 * A Redis Cluster from its seed nodes (TFCTL_REDIS_CLUSTER=1; REDIS_URL names one or several, see
 * seedUrls): ioredis asks the first that answers for the slot map and
 * connects to every master, sending each command to the node that holds its key (a script goes where its
 * first key is). It is ready once the cluster says it is ok (CLUSTER INFO), which also meets a refused
 * password at once. Same errors and exit codes as one Redis.
 */
async function connectCluster(url: string): Promise<Cluster> {
  const seeds = seedUrls(url);
  for (const seed of seeds) {
    const db = redisDatabase(seed);
    if (typeof db === 'string') throw new UsageError(db);
    const wrong = clusterProblem(seed, db);
    if (wrong) throw new UsageError(wrong);
  }
  const nodes = seeds.map((s) => new URL(s)).map((u) => ({ host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 6379) }));
  const u = new URL(seeds[0]!);
  const { Cluster } = await import('ioredis');
  const cluster = new Cluster(nodes, {
    lazyConnect: true,
    enableOfflineQueue: true,
    enableAutoPipelining: true,
    // A cron run gives up on a cluster that does not answer after a few tries, as on one Redis.
    clusterRetryStrategy: (times) => (times > 3 ? null : 100 * times),
    // While a replica takes over a dead master's slots (cluster-node-timeout and an election), commands
    // for them are retried: every 200 ms, up to maxRedirections times, before they fail.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    maxRedirections: 16,
    redisOptions: {
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      tls: u.protocol === 'rediss:' ? {} : undefined,
      connectTimeout: 3000,
      maxRetriesPerRequest: 2,
      disableClientInfo: true,
    },
  });
  let lastError: Error | undefined;
  cluster.on('error', (err: Error) => (lastError = err));
  cluster.on('node error', (err: Error) => (lastError = err));
  const where = hidePassword(url);
  try {
    await cluster.connect();
  } catch (err) {
    cluster.disconnect();
    const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
    // "Failed to refresh slots cache" says less than the seed's own failure (ECONNREFUSED, NOAUTH…).
    const causes = [err, lastError].flatMap((e) => [(e as { lastNodeError?: unknown } | undefined)?.lastNodeError, e]).filter((e) => e !== undefined && e !== null);
    const reason = causes.map(message).find((m) => /NOAUTH|WRONGPASS|invalid password|ERR/.test(m)) ?? message(causes[0] ?? err);
    throw connectError(where, 0, reason);
  }
  return cluster;
}

export function connectError(where: string, db: number, reason: string): Error {
  if (/WRONGPASS|invalid password|invalid username-password/i.test(reason)) return new UsageError(`Redis at ${where} refused the password in REDIS_URL (${reason.replace(/\.$/, '')})`);
  if (/NOAUTH/.test(reason)) return new UsageError(`Redis at ${where} needs a password: put it in REDIS_URL (redis://:PASSWORD@host:port/db)`);
  if (/SELECT is not allowed in cluster mode/i.test(reason)) return new UsageError(`Redis at ${where} is a cluster node, which has only database 0: set TFCTL_REDIS_CLUSTER=1 and drop /${db} from REDIS_URL`);
  if (/DB index|invalid DB/i.test(reason)) return new UsageError(`REDIS_URL selects database ${db}, which Redis at ${where} does not have (${reason.replace(/\.$/, '')})`);
  return new OperationalError(`cannot reach Redis at ${where}: ${reason}`);
}
