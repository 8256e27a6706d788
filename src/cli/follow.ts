import { connectRedis } from '../store/connect.js';

type XReadReply = Array<[string, Array<[string, string[]]>]> | null;

/**
 * `--follow` for `events` and `tail`: reads a Redis stream after `last` with XREAD BLOCK until Ctrl-C
 * (or `forMs`, which tests use), on a connection of its own so no farm connection is ever blocked.
 * Each new entry goes to `onEntry` in stream order.
 */
export async function followStream(redisUrl: string, cluster: boolean, key: string, last: string, forMs: number | undefined, onEntry: (id: string, flat: string[]) => void): Promise<void> {
  const redis = await connectRedis(redisUrl, cluster);
  const until = forMs !== undefined ? Date.now() + forMs : Infinity;
  let stop = false;
  const onSignal = () => {
    stop = true;
    redis.disconnect();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop && Date.now() < until) {
      // Wake at least every 5 s so the deadline is kept; a signal's disconnect rejects the read, which is no error.
      const block = Math.max(1, Math.min(5000, until - Date.now()));
      const reply = (await redis.xread('COUNT', 100, 'BLOCK', block, 'STREAMS', key, last).catch((err) => (stop ? null : Promise.reject(err)))) as XReadReply;
      for (const [, entries] of reply ?? []) {
        for (const [id, flat] of entries) {
          last = id;
          onEntry(id, flat);
        }
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!stop) await redis.quit().catch(() => redis.disconnect());
  }
}
