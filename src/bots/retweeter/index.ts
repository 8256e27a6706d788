import { UsageError } from '../../errors.js';
import type { Bot } from '../../store/bot-record.js';
import { RULES_SUFFIX, RULES_VERSION_SUFFIX, rulesSection, type RuleLimits } from '../rules.js';
import { count, duration, setting, sourceSetting, type ValueType } from '../settings.js';
import type { BotKind } from '../types.js';
import { parseDuration } from '../values.js';
import { DECISIONS, OWN } from './decisions.js';
import { checkTimeZone, parseWindows } from './window.js';

export const MODES = ['retweet', 'quote'] as const;
export type Mode = (typeof MODES)[number];

const mode: ValueType<Mode> = {
  type: MODES.join('|'),
  parse(raw, what) {
    const v = raw.trim().toLowerCase();
    if (!(MODES as readonly string[]).includes(v)) throw new UsageError(`${what} must be retweet or quote, not "${raw}"`);
    return v as Mode;
  },
  encode: (v) => v,
  decode: (f) => f as Mode,
};

/** A duration that may be 0 (no gap). */
const gap: ValueType<number> = { ...duration, parse: (raw, what) => (/^\s*0[smhd]?\s*$/i.test(raw) ? 0 : parseDuration(raw, what)) };

/** The text of a quote: `{author}` becomes the quoted tweet's @author; it must fit a tweet with any author. */
const quote: ValueType<string> = {
  type: 'text',
  async parse(raw, what) {
    if (raw.trim() === '') throw new UsageError(`${what} must not be empty`);
    const { fitsTweet } = await import('../../text/weight.js');
    if (!fitsTweet(renderQuote(raw, 'x'.repeat(15)))) throw new UsageError(`${what} is too long: with a 15-character @author it exceeds 280 weighted characters`);
    return raw;
  },
  encode: (v) => v,
  decode: (f) => f,
};

const windows: ValueType<string> = {
  type: 'windows',
  parse(raw) {
    parseWindows(raw);
    return raw.trim();
  },
  encode: (v) => v,
  decode: (f) => f,
};

const timeZone: ValueType<string> = { type: 'time zone', parse: (raw) => checkTimeZone(raw.trim()), encode: (v) => v, decode: (f) => f };

export function renderQuote(template: string, author: string): string {
  return template.replaceAll('{author}', `@${author}`);
}

export const RETWEETER_DEFAULTS = { mode: 'retweet' as Mode, perTick: 1, minGap: 90, maxAge: 900, tz: 'UTC' };

export interface RetweeterSettings {
  mode: Mode;
  quote: string;
  perTick: number;
  minGap: number;
  maxAge: number;
  window: string;
  tz: string;
}

export function retweeterSettings(bot: Bot): RetweeterSettings {
  const s = bot.settings;
  const d = RETWEETER_DEFAULTS;
  return {
    mode: s.mode === 'quote' ? 'quote' : 'retweet',
    quote: typeof s.quote === 'string' ? s.quote : '',
    perTick: typeof s.perTick === 'number' ? s.perTick : d.perTick,
    minGap: typeof s.minGap === 'number' ? s.minGap : d.minGap,
    maxAge: typeof s.maxAge === 'number' ? s.maxAge : d.maxAge,
    window: typeof s.window === 'string' ? s.window : '',
    tz: typeof s.tz === 'string' && s.tz ? s.tz : d.tz,
  };
}

/** Rules are matched here, not by X: the limits are ours (a query as long as X allows a Pro stream rule). */
export const RETWEETER_LIMITS: RuleLimits = { count: 1000, length: 1024, why: 'a retweeter' };

/**
 * The retweeter: a consumer. It reads its source's tweets (a reader's timeline or a collector's stream)
 * through its own consumer group, decides each by its rules (X queries matched locally), its windows,
 * max-age and caps, and retweets or quotes the chosen ones through the publishing core. Every decision is
 * logged (`show`), and nothing is retweeted twice or taken from the farm's own accounts.
 */
export const retweeter: BotKind = {
  name: 'retweeter',
  plural: 'retweeters',
  family: 'consumer',
  summary: 'retweets (or quotes) the tweets of its source that its rules (X queries) match, within its windows and caps, and logs why for each tweet',
  settings: [
    sourceSetting({ help: 'the reader or collector whose tweets it considers' }),
    setting({ key: 'mode', prop: 'mode', field: 'mode', value: mode, default: RETWEETER_DEFAULTS.mode, arg: '<mode>', help: 'retweet, or quote (with --quote)' }),
    setting({ key: 'quote', prop: 'quote', field: 'quote', value: quote, arg: '<text>', help: 'the text of a quote; {author} becomes @author' }),
    setting({ key: 'per-tick', prop: 'perTick', field: 'per_tick', value: count(1, 50), default: RETWEETER_DEFAULTS.perTick, arg: '<n>', help: 'retweets per tick at most' }),
    setting({ key: 'min-gap', prop: 'minGap', field: 'min_gap_s', value: gap, default: RETWEETER_DEFAULTS.minGap, arg: '<duration>', help: 'at least this long between two retweets (0 for none)' }),
    setting({ key: 'max-age', prop: 'maxAge', field: 'max_age_s', value: duration, default: RETWEETER_DEFAULTS.maxAge, arg: '<duration>', help: 'tweets older than this are dropped (too_old), also those waiting for a window' }),
    setting({ key: 'window', prop: 'window', field: 'window', value: windows, arg: '<windows>', help: 'when it retweets, e.g. "mon-fri 09:00-18:00" (several joined by ";"); matching tweets wait outside it' }),
    setting({ key: 'tz', prop: 'tz', field: 'tz', value: timeZone, default: RETWEETER_DEFAULTS.tz, arg: '<zone>', help: 'the time zone of the windows, e.g. Europe/Moscow' }),
  ],
  defaults: { every: 900 },
  backlog: { label: 'unprocessed', spec: { of: 'group' } },
  publishes: true,
  keys: [RULES_SUFFIX, RULES_VERSION_SUFFIX, ...Object.values(OWN)],
  rules: { limits: () => RETWEETER_LIMITS },
  // farm.yaml's `rules:` for a retweeter, as for a collector (its limits are its own, not a tier's).
  sections: [rulesSection(() => RETWEETER_LIMITS)],
  figures: {
    measurements: [{ name: 'tfctl_retweeter', tags: ['bot', 'prefix'], fields: DECISIONS }],
    async rows(names, ctx) {
      return (await import('./figures.js')).rows(names, ctx);
    },
    async points(names, ctx) {
      return (await import('./figures.js')).points(names, ctx);
    },
  },
  check(settings) {
    if (settings.mode === 'quote' && !settings.quote) throw new UsageError('--mode quote needs --quote <text>');
  },
  async tick(bot, env, ctx) {
    return (await import('./tick.js')).tick(bot, env, ctx);
  },
  async show(bot, ctx) {
    return (await import('./view.js')).show(bot, ctx);
  },
};
