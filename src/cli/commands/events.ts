import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { parseDuration } from '../../bots/values.js';
import type { Config } from '../../config.js';
import { connectRedis } from '../../store/connect.js';
import { withFarm, type CommandContext, type Io } from '../context.js';

export interface EventsOptions {
  bot?: string;
  since?: string;
  follow?: boolean;
  json?: boolean;
  /** For tests: stop following after this many ms. */
  forMs?: number;
}

/**
 * `tfctl events [--bot B] [--since 1h] [--follow] [--json]`: the farm's events (failures, recoveries,
 * rate limits, revoked tokens, posts and retweets, backlogs), oldest first; the newest 20 without --since.
 * With --json one object per line (NDJSON); with --follow new ones as they come (XREAD BLOCK).
 */
export async function run(opts: EventsOptions, io: Io, config: Config): Promise<void> {
  const bot = opts.bot !== undefined ? botName(opts.bot) : undefined;
  const sinceS = opts.since !== undefined ? parseDuration(opts.since, 'since') : undefined;
  const { Events, eventView, formatEvent, parseEntry } = await import('../../events/index.js');
  const print = (e: Parameters<typeof formatEvent>[0]) => io.out(opts.json ? `${JSON.stringify(eventView(e))}\n` : `${formatEvent(e)}\n`);
  let key = '';
  let last = '0-0';
  await withFarm(config, async (farm) => {
    if (bot) await farm.store.require(bot);
    const events = new Events(farm.redis, farm.store.keys);
    key = farm.store.keys.events();
    last = await events.lastId();
    const shown = await events.recent({ bot, ...(sinceS !== undefined ? { since: farm.now() - sinceS * 1000 } : {}) });
    for (const e of shown) print(e);
    if (!shown.length && !opts.follow && !opts.json) io.out('no events\n');
  });
  if (!opts.follow) return;
  const redis = await connectRedis(config.redisUrl);
  const until = opts.forMs !== undefined ? Date.now() + opts.forMs : Infinity;
  let stop = false;
  const onSignal = () => {
    stop = true;
    redis.disconnect();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop && Date.now() < until) {
      const block = Math.max(1, Math.min(5000, until - Date.now()));
      const reply = (await redis.xread('COUNT', 100, 'BLOCK', block, 'STREAMS', key, last).catch((err) => (stop ? null : Promise.reject(err)))) as Array<[string, Array<[string, string[]]>]> | null;
      for (const [, entries] of reply ?? []) {
        for (const [id, flat] of entries) {
          last = id;
          const e = parseEntry(id, flat);
          if (!bot || e.bot === bot) print(e);
        }
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!stop) await redis.quit().catch(() => redis.disconnect());
  }
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('events')
    .description("the farm's events: failures and recoveries, rate limits, revoked tokens, posts and retweets, backlogs")
    .option('--bot <name>', 'only this bot')
    .option('--since <duration>', 'those of the last 1h, 30m, 2d… (default: the newest 20)')
    .option('-f, --follow', 'keep printing new events as they come (Ctrl-C stops)')
    .option('--json', 'one JSON object per line (NDJSON)')
    .action((opts: EventsOptions) => run(opts, ctx.io, ctx.config()));
}
