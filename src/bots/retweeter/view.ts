import type { Bot } from '../../store/bot-record.js';
import type { KindContext } from '../types.js';
import { Decisions } from './decisions.js';

/** What `show` adds for a retweeter: its decision counts and its most recent decisions. */
export async function show(bot: Bot, ctx: KindContext): Promise<{ fields: Record<string, unknown>; lines: string[] }> {
  const log = new Decisions(ctx.redis, ctx.store.keys, bot.name);
  const [counts, recent] = await Promise.all([log.counts(), log.recent(20)]);
  const decisions = recent.map((d) => ({ ...d, at: new Date(d.at).toISOString(), post_id: d.post_id ?? null, detail: d.detail ?? null }));
  const lines = [`decisions: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`];
  if (decisions.length) {
    lines.push('recent decisions:');
    for (const d of decisions) lines.push(`  ${d.at}  ${d.tweet_id}  @${d.author}  ${d.decision}${d.rule ? `  rule ${d.rule}` : ''}${d.detail ? `  (${d.detail})` : ''}`);
  }
  return { fields: { decision_counts: counts, recent_decisions: decisions }, lines };
}
