import type { Bot } from '../../store/bot-record.js';
import { Rules } from '../rules.js';
import type { KindContext } from '../types.js';
import { ruleHits } from './collect.js';
import { OWN } from './index.js';

/** What `show` adds for a collector: its rules with their hits in the last hour, and a running stream's heartbeat. */
export async function show(bot: Bot, ctx: KindContext): Promise<{ fields: Record<string, unknown>; lines: string[] }> {
  const keys = ctx.store.keys;
  const rules = await new Rules(ctx.redis, keys).list(bot.name);
  const hits = await ruleHits(ctx.redis, keys, bot.name, ctx.now());
  const beat = await ctx.redis.get(keys.own(bot.name, OWN.heartbeat));
  const heartbeatAge = beat ? Math.max(0, Math.round((ctx.now() - Number(beat)) / 1000)) : null;
  const fields = {
    rules: rules.map((r) => ({ id: r.id, value: r.value, tag: r.tag ?? null, type: r.type, hits_last_hour: hits.get(r.id)?.hour ?? 0 })),
    stream_heartbeat_age_s: heartbeatAge,
  };
  const lines = [
    `stream: ${heartbeatAge === null ? 'not running' : `running (heartbeat ${heartbeatAge}s ago)`}`,
    rules.length ? 'rules (hits in the last hour):' : 'rules: none (tfctl rules add)',
    ...fields.rules.map((r) => `  ${r.id.padStart(3)}  ${String(r.hits_last_hour).padStart(5)}  ${r.value}${r.tag ? `  [${r.tag}]` : ''}`),
  ];
  return { fields, lines };
}
