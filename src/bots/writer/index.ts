import type { Bot } from '../../store/bot-record.js';
import { HASHTAG_KEY, HASHTAG_SETTINGS } from '../hashtags.js';
import { count, setting, sourceSetting, type ValueType } from '../settings.js';
import type { BotKind } from '../types.js';

/** A template is checked when it is set, so a broken one, or one no noun can make fit, never reaches a tick. */
const template: ValueType<string> = {
  type: 'template',
  async parse(raw) {
    const [{ parseTemplate }, { checkFits }] = await Promise.all([import('../../text/template.js'), import('../../text/weight.js')]);
    checkFits(parseTemplate(raw));
    return raw;
  },
  encode: (v) => v,
  decode: (f) => f,
};

export const WRITER_DEFAULTS = { perTick: 1, grab: 3 } as const;

/** The writer's own settings, typed, as its tick and preview read them. */
export interface WriterSettings {
  template: string;
  perTick: number;
  grab: number;
}

export function writerSettings(bot: Bot): WriterSettings {
  const s = bot.settings;
  return {
    template: typeof s.template === 'string' ? s.template : '',
    perTick: typeof s.perTick === 'number' ? s.perTick : WRITER_DEFAULTS.perTick,
    grab: typeof s.grab === 'number' ? s.grab : WRITER_DEFAULTS.grab,
  };
}

/**
 * The writer: a consumer. It takes the tweets it has not processed yet from its source, picks Russian
 * nouns, fills its template with them, never posts a text twice, and posts up to per-tick of them.
 */
export const writer: BotKind = {
  name: 'writer',
  plural: 'writers',
  family: 'consumer',
  summary: 'fills its template with the nouns of the tweets its source fetched, inflected as the template asks, and posts them',
  settings: [
    sourceSetting({ aliases: ['reader'], help: 'the reader (or other source) whose tweets it consumes' }),
    setting({ key: 'template', prop: 'template', field: 'template', value: template, required: true, arg: '<text>', help: 'what it posts, e.g. "%s – это когда тебя любят." or "{noun:gent,plur}"' }),
    setting({ key: 'per-tick', prop: 'perTick', field: 'per_tick', value: count(1, 50), default: WRITER_DEFAULTS.perTick, arg: '<n>', help: 'posts per tick at most' }),
    setting({ key: 'grab', prop: 'grab', field: 'grab', value: count(1, 100), default: WRITER_DEFAULTS.grab, arg: '<n>', help: 'unprocessed tweets taken per tick' }),
    ...HASHTAG_SETTINGS,
  ],
  backlog: { label: 'unprocessed', spec: { of: 'group' } },
  publishes: true,
  keys: [HASHTAG_KEY],
  async tick(bot, env, ctx) {
    return (await import('./tick.js')).tick(bot, env, ctx);
  },
  // The first take leaves with the lock: harmless if the lock is lost (the entries stay pending for this
  // writer, and a take reads those first), and it must not recreate a group the bot may have left.
  start(bot, env) {
    const own = Array.isArray(bot.settings.hashtags) && bot.settings.hashtags.length ? [HASHTAG_KEY] : [];
    return { own, early: bot.source ? env.timeline.take(bot.source, bot.name, writerSettings(bot).grab, { keep: true }) : undefined };
  },
  warm(stage) {
    import('../../text/engine.js').then((m) => (stage === 'due' ? m.textEngine().load() : m.textEngine()), () => {});
  },
  async show(bot, ctx) {
    // Loaded here, not at the top: posts.js brings node's crypto, which other commands' cold starts skip.
    const { Posts } = await import('../../store/posts.js');
    const recent = await new Posts(ctx.redis, ctx.store.keys).recent(bot.name, 5);
    const posts = recent.map((p) => ({ id: p.id, at: new Date(p.at).toISOString(), text: p.text }));
    const lines = posts.length ? ['recent posts:', ...posts.map((p) => `  ${p.at}  ${p.id}  ${p.text}`)] : [];
    return { fields: { recent_posts: posts }, lines };
  },
  async preview(bot, ctx, opts) {
    const { preview } = await import('./preview.js');
    const items = await preview(ctx, bot, opts);
    if (items.length === 0) {
      return { items, lines: [opts.text !== undefined ? 'no usable noun in that text' : 'nothing to compose: no unprocessed tweet yields a noun'] };
    }
    const lines: string[] = [];
    let source = '';
    for (const l of items) {
      if (l.source !== source) {
        source = l.source;
        lines.push(`${l.source === '-' ? 'text' : `tweet ${l.source}`}: ${l.tweet}`);
      }
      const note = l.too_long ? `  (too long: ${l.weight} weighted characters, X allows 280)` : l.posted_before ? '  (posted before)' : '';
      lines.push(`  [${l.noun}] ${l.text}${note}`);
    }
    return { items, lines };
  },
};
