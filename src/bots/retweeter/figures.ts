import type { KindContext, KindPoint } from '../types.js';
import { perBot } from '../../store/per-bot.js';
import { DECISIONS, OWN, type DecisionKind } from './decisions.js';

export const RETWEETER_MEASUREMENT = 'tfctl_retweeter';

/** Decision counts of many retweeters in one pipeline. */
async function read(names: string[], ctx: KindContext): Promise<Map<string, Record<DecisionKind, number>>> {
  // Each bot's keys in its own slot: perBot, which a cluster accepts, not one pipeline.
  const replies = await perBot(ctx.redis, names.map((n): [string, ...string[]] => ['HMGET', ctx.store.keys.own(n, OWN.counts), ...DECISIONS]));
  const out = new Map<string, Record<DecisionKind, number>>();
  names.forEach((n, i) => {
    const values = replies[i];
    out.set(n, Object.fromEntries(DECISIONS.map((d, j) => [d, Number((values as Array<string | null>)[j] ?? 0)])) as Record<DecisionKind, number>);
  });
  return out;
}

/** list/stats --json: `decisions` (a count per decision); tables: one line of them. */
export async function rows(names: string[], ctx: KindContext) {
  const out = new Map<string, { fields: Record<string, unknown>; line?: string }>();
  for (const [name, counts] of await read(names, ctx)) {
    const shown = DECISIONS.filter((d) => counts[d] > 0).map((d) => `${d} ${counts[d]}`);
    out.set(name, { fields: { decisions: counts }, line: `decisions: ${shown.length ? shown.join(', ') : 'none yet'}` });
  }
  return out;
}

/** InfluxDB: each retweeter's decision counts now (running totals: a panel takes their differences). */
export async function points(names: string[], ctx: KindContext): Promise<KindPoint[]> {
  const at = ctx.now();
  const prefix = ctx.store.keys.prefix;
  return [...(await read(names, ctx))].map(([name, counts]) => ({ measurement: RETWEETER_MEASUREMENT, tags: { bot: name, prefix }, fields: { ...counts }, at }));
}
