import type { Command } from 'commander';
import { botDetail } from '../../bots/view.js';
import type { Config } from '../../config.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface SetOptions {
  name: string;
  assignments: string[];
  json?: boolean;
}

export async function run(opts: SetOptions, io: Io, config: Config): Promise<void> {
  const shown = await withFarm(config, async (farm) => {
    const bot = await farm.set(opts.name, opts.assignments);
    return opts.json ? botDetail(bot, (await farm.store.overview([bot.name]))[0]?.backlog ?? 0, farm.now()) : bot;
  });
  if (opts.json) printJson(shown, io);
  else io.out(`updated ${shown.name}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('set')
    .description("change settings: every, paused, token, secret, and the kind's own (tfctl kinds lists them)")
    .argument('<name>')
    .argument('<key=value...>', 'e.g. every=30m paused=true "template={noun:gent} нет"')
    .option('--json', 'print the bot as JSON afterwards')
    .action((name: string, assignments: string[], opts: { json?: boolean }) => run({ name, assignments, ...opts }, ctx.io, ctx.config()));
}
