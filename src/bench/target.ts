/**
 * Where a measured farm lives: a private redis-server, or a private 6-node Redis Cluster (3 masters,
 * 3 replicas, src/dev/redis-cluster.ts). Either way the bench gets the environment a `tfctl` process needs
 * to reach it and the commands Redis ran (INFO commandstats; on a cluster, summed over the masters).
 */
import { Redis } from 'ioredis';
import { startRedis } from '../dev/redis-server.js';

export type CommandStats = Map<string, { calls: number; usec: number }>;

export interface Target {
  /** REDIS_URL, with TFCTL_REDIS_CLUSTER=1 for a cluster */
  env: Record<string, string>;
  /** The url of the one server (null on a cluster: no proxy can stand in front of it) */
  single: string | null;
  stats(): Promise<CommandStats>;
  stop(): Promise<void>;
}

export async function startTarget(cluster: boolean): Promise<Target> {
  if (!cluster) {
    const redis = await startRedis();
    const client = redis.client();
    return { env: { REDIS_URL: redis.url, TFCTL_REDIS_CLUSTER: '' }, single: redis.url, stats: () => commandStats(client), stop: () => redis.stop() };
  }
  const { startCluster } = await import('../dev/redis-cluster.js');
  const c = await startCluster();
  const clients = new Map<number, Redis>();
  return {
    env: { REDIS_URL: c.url, TFCTL_REDIS_CLUSTER: '1' },
    single: null,
    async stats() {
      const sum: CommandStats = new Map();
      for (const node of await c.masters()) {
        let client = clients.get(node.port);
        if (!client) clients.set(node.port, (client = new Redis({ port: node.port, host: '127.0.0.1', enableReadyCheck: false, disableClientInfo: true })));
        for (const [cmd, s] of await commandStats(client)) {
          const t = sum.get(cmd) ?? { calls: 0, usec: 0 };
          sum.set(cmd, { calls: t.calls + s.calls, usec: t.usec + s.usec });
        }
      }
      return sum;
    },
    async stop() {
      for (const client of clients.values()) client.disconnect();
      await c.stop();
    },
  };
}

/** Calls and CPU time by command, from Redis's INFO commandstats (commands run by scripts included). */
export async function commandStats(redis: { info(section: string): Promise<string> }): Promise<CommandStats> {
  const out: CommandStats = new Map();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  return out;
}

/** What Redis ran between two commandStats, INFO itself left out. */
export function diffCalls(before: CommandStats, after: CommandStats): { calls: number; usec: number } {
  let calls = 0;
  let usec = 0;
  for (const [cmd, a] of after) {
    if (cmd === 'info') continue;
    calls += a.calls - (before.get(cmd)?.calls ?? 0);
    usec += a.usec - (before.get(cmd)?.usec ?? 0);
  }
  return { calls, usec };
}
