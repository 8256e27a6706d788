import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { kindOf } from '../../bots/index.js';
import { parseCount } from '../../bots/values.js';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface PreviewOptions {
  name: string;
  text?: string;
  count?: string;
  json?: boolean;
}

export async function run(opts: PreviewOptions, io: Io, config: Config): Promise<void> {
  const name = botName(opts.name);
  const count = opts.count ? parseCount(opts.count, 'count', 1, 1000) : undefined;
  const result = await withFarm(config, async (farm) => {
    const bot = await farm.store.require(name);
    const kind = kindOf(bot.role);
    if (!kind?.preview) throw new UsageError(`${name} is a ${bot.role}, which has no preview (tfctl kinds says which kinds do)`);
    return kind.preview(bot, { redis: farm.redis, store: farm.store, now: () => farm.now() }, { text: opts.text, count });
  });
  if (opts.json) return printJson(result.items, io);
  io.out(result.lines.map((l) => `${l}\n`).join(''));
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('preview')
    .description('show what a bot would post from TEXT or from its next unprocessed tweets (nothing is taken)')
    .argument('<name>')
    .option('--text <text>', 'compose from this text instead of the cached tweets')
    .option('--count <n>', "how many unprocessed tweets to look at (default: the bot's grab)")
    .option('--json', 'print JSON')
    .action((name: string, opts: Omit<PreviewOptions, 'name'>) => run({ name, ...opts }, ctx.io, ctx.config()));
}
