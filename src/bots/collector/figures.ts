import { RULES_SUFFIX, type Rule } from '../rules.js';
import { hashOf, perBot } from '../../store/per-bot.js';
import type { KindContext, KindPoint } from '../types.js';
import { COLLECTOR_MEASUREMENT, OWN, RULE_HITS_MEASUREMENT } from './index.js';

interface Read {
  rules: Rule[];
  /** rule id → minute (epoch minutes) → hits */
  hits: Map<string, Map<number, number>>;
  /** seconds since the running stream's last heartbeat; null when no stream runs */
  heartbeatAgeS: number | null;
}

/** Rules, hit counters and heartbeat of many collectors in one pipeline. */
async function read(names: string[], ctx: KindContext): Promise<Map<string, Read>> {
  const keys = ctx.store.keys;
  // Each bot's keys in its own slot: perBot, which a cluster accepts, not one pipeline.
  const replies = await perBot(ctx.redis, names.flatMap((n): Array<[string, string]> => [['HGETALL', keys.own(n, RULES_SUFFIX)], ['HGETALL', keys.own(n, OWN.hits)], ['GET', keys.own(n, OWN.heartbeat)]]));
  const now = ctx.now();
  const out = new Map<string, Read>();
  names.forEach((n, i) => {
    const [rulesH, hitsH, beat] = [hashOf(replies[i * 3]), hashOf(replies[i * 3 + 1]), replies[i * 3 + 2]];
    const rules = Object.values(rulesH as Record<string, string>)
      .map((v) => JSON.parse(v) as Rule)
      .sort((a, b) => Number(a.id) - Number(b.id));
    const hits = new Map<string, Map<number, number>>();
    for (const [field, v] of Object.entries(hitsH as Record<string, string>)) {
      const [rule, minute] = field.split(':');
      let m = hits.get(rule!);
      if (!m) hits.set(rule!, (m = new Map()));
      m.set(Number(minute), (m.get(Number(minute)) ?? 0) + Number(v));
    }
    out.set(n, { rules, hits, heartbeatAgeS: beat ? Math.max(0, Math.round((now - Number(beat)) / 1000)) : null });
  });
  return out;
}

/** Hits in the 60 minutes up to now, as the rolling counters keep them. */
function lastHour(m: Map<number, number> | undefined, now: number): number {
  const nowMin = Math.floor(now / 60_000);
  let n = 0;
  for (const [minute, v] of m ?? []) if (nowMin - minute >= 0 && nowMin - minute < 60) n += v;
  return n;
}

export async function rows(names: string[], ctx: KindContext) {
  const now = ctx.now();
  const out = new Map<string, { fields: Record<string, unknown>; line?: string }>();
  for (const [name, r] of await read(names, ctx)) {
    const perRule = r.rules.map((rule) => ({ id: rule.id, value: rule.value, tag: rule.tag ?? null, hits_last_hour: lastHour(r.hits.get(rule.id), now) }));
    const total = perRule.reduce((a, b) => a + b.hits_last_hour, 0);
    const counts = perRule.map((x) => `#${x.id}${x.tag ? ` ${x.tag}` : ''} ${x.hits_last_hour}`).join(', ');
    out.set(name, {
      fields: { rules: perRule, rule_hits_last_hour: total, stream_heartbeat_age_s: r.heartbeatAgeS },
      line: `${perRule.length} rule${perRule.length === 1 ? '' : 's'}, ${total} hit${total === 1 ? '' : 's'} in the last hour${counts ? ` (${counts})` : ''}; stream ${r.heartbeatAgeS === null ? 'not running' : `running, heartbeat ${r.heartbeatAgeS}s ago`}`,
    });
  }
  return out;
}

/**
 * Each rule's hits per minute of the last hour, at the minute (a minute rewritten later with more hits
 * replaces its point), and each collector's rule count, hits and heartbeat age now.
 */
export async function points(names: string[], ctx: KindContext): Promise<KindPoint[]> {
  const now = ctx.now();
  const nowMin = Math.floor(now / 60_000);
  const prefix = ctx.store.keys.prefix;
  const out: KindPoint[] = [];
  for (const [name, r] of await read(names, ctx)) {
    for (const rule of r.rules) {
      const tags = { bot: name, prefix, rule: rule.id, ...(rule.tag ? { tag: rule.tag } : {}) };
      for (const [minute, hits] of r.hits.get(rule.id) ?? []) {
        if (nowMin - minute < 0 || nowMin - minute >= 60) continue;
        out.push({ measurement: RULE_HITS_MEASUREMENT, tags, fields: { hits }, at: minute * 60_000 });
      }
    }
    const fields: Record<string, number> = { rules: r.rules.length, hits_last_hour: r.rules.reduce((a, rule) => a + lastHour(r.hits.get(rule.id), now), 0) };
    if (r.heartbeatAgeS !== null) fields.heartbeat_age_s = r.heartbeatAgeS;
    out.push({ measurement: COLLECTOR_MEASUREMENT, tags: { bot: name, prefix }, fields, at: now });
  }
  return out;
}
