import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import type { Config } from '../../config.js';
import { OperationalError, UsageError } from '../../errors.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface DestroyOptions {
  name: string;
  yes?: boolean;
  json?: boolean;
}

export async function run(opts: DestroyOptions, io: Io, config: Config): Promise<void> {
  const name = botName(opts.name);
  await withFarm(config, async (farm) => {
    await farm.assertDestroyable(name);
    if (!opts.yes) {
      if (!io.ask) throw new UsageError(`destroy ${name}: pass --yes to confirm (stdin is not a terminal)`);
      const answer = await io.ask(`destroy ${name} and all its data? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) throw new OperationalError('not destroyed');
    }
    await farm.destroy(name);
  });
  if (opts.json) printJson({ destroyed: name }, io);
  else io.out(`destroyed ${name}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('destroy')
    .description('remove a bot and all its data (a source still used by consumers is refused)')
    .argument('<name>')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .option('--json', 'print what was destroyed as JSON')
    .action((name: string, opts: { yes?: boolean; json?: boolean }) => run({ name, ...opts }, ctx.io, ctx.config()));
}
