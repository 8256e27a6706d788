import { hidePassword } from '../config.js';
import { RAW_CODEC, type BotSummary, type KindCodec } from './bot-record.js';
import { readOverview } from './farm-store.js';
import { Keys } from './keys.js';
import { connectOneShot } from './oneshot.js';
import { lua } from './scripts.js';

/**
 * What a listing command reads of the farm, over a one-shot connection (oneshot.ts): the same script
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
  // EVAL, as evalOnce does for ioredis: a one-shot command would send the text on a fresh connection anyway.
  const run = (name: string, k: string[], args: (string | number)[]) => redis.call('EVAL', lua(name), k.length, ...k, ...args);
  return {
    overview: (names, opts) => readOverview(run, keys, codec, names, opts),
    close: async () => redis.close(),
  };
}
