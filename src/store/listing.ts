import { hidePassword } from '../config.js';
import { RAW_CODEC, type BotSummary, type KindCodec } from './bot-record.js';
import { readOverview, type Wire } from './farm-store.js';
import { Keys } from './keys.js';
import { connectOneShot } from './oneshot.js';
import { legacyCheck } from './migrate.js';

/**
 * What a listing command reads of the farm, over a one-shot connection (oneshot.ts): the same reads
 * and the same rows as FarmStore.overview, without loading ioredis. The only store a command may open
 * this way is a read-only one; writers keep FarmStore.
 */
export interface FarmListing {
  overview(names?: string[], opts?: { pauses?: boolean }): Promise<BotSummary[]>;
  close(): Promise<void>;
}

export async function openListing(url: string, prefix: string, codec: KindCodec = RAW_CODEC): Promise<FarmListing> {
  const redis = await connectOneShot(url, hidePassword(url));
  const keys = new Keys(prefix);
  // Commands sent together go out in one write: one round trip for them all.
  const wire: Wire = {
    send: (commands) => redis.callMany(commands),
    evalshaMany: (sha, keyLists, args) => redis.evalshaMany(sha, keyLists, args),
    load: async (text) => (await redis.call('SCRIPT', 'LOAD', text)) as string,
  };
  return {
    // One Redis (a cluster lists through ioredis, Farm.openListing): whether old names remain is asked too.
    overview: (names, opts) => readOverview(wire, keys, codec, names, { ...opts, legacy: legacyCheck(keys) }),
    close: async () => redis.close(),
  };
}
