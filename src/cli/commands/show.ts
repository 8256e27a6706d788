import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { kindOf } from '../../bots/index.js';
import { botDetail } from '../../bots/view.js';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface ShowOptions {
  name: string;
  json?: boolean;
}

export async function run(opts: ShowOptions, io: Io, config: Config): Promise<void> {
  const name = botName(opts.name);
  const { detail, extra } = await withFarm(config, async (farm) => {
    const found = await farm.store.detail(name);
    if (!found) throw new UsageError(`unknown bot "${name}" (see tfctl list)`);
    const { bot, backlog } = found;
    const kind = kindOf(bot.role);
    const extra = kind?.show ? await kind.show(bot, { redis: farm.redis, store: farm.store, now: () => farm.now() }) : { fields: {}, lines: [] };
    return { detail: botDetail(bot, backlog, farm.now()), extra };
  });
  if (opts.json) return printJson({ ...detail, ...extra.fields }, io);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(detail)) {
    if (value === null || value === undefined) continue;
    // JSON gives a duration's seconds beside it (every_s); people read "2h".
    if (key.endsWith('_s') && key.slice(0, -2) in detail) continue;
    if (typeof value === 'object') {
      const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${v}`);
      if (parts.length) lines.push(`${key}: ${parts.join(' ')}`);
    } else lines.push(`${key}: ${value}`);
  }
  lines.push(...extra.lines);
  io.out(`${lines.join('\n')}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('show')
    .description("one bot's settings and state (secrets redacted), and what its kind adds (a writer's recent posts)")
    .argument('<name>')
    .option('--json', 'print JSON')
    .action((name: string, opts: { json?: boolean }) => run({ name, ...opts }, ctx.io, ctx.config()));
}
