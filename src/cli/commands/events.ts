import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { parseDuration } from '../../bots/values.js';
import type { Config } from '../../config.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { followStream } from '../follow.js';

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
  await followStream(config.redisUrl, config.redisCluster, key, last, opts.forMs, (id, flat) => {
    const e = parseEntry(id, flat);
    if (!bot || e.bot === bot) print(e);
  });
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
