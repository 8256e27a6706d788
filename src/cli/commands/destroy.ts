import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { OperationalError, UsageError } from '../../errors.js';
import { withFarm } from '../context.js';

export function register(program: Command): void {
  program
    .command('destroy')
    .description('remove a bot and all its data (a reader still used by writers is refused)')
    .argument('<name>')
    .option('--yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .action(async (nameInput: string, opts: { yes?: boolean }) => {
      const name = botName(nameInput);
      await withFarm(async (farm) => {
        await farm.assertDestroyable(name);
        if (!opts.yes) {
          if (!process.stdin.isTTY) throw new UsageError(`destroy ${name}: pass --yes to confirm (stdin is not a terminal)`);
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question(`destroy ${name} and all its data? [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) throw new OperationalError('not destroyed');
        }
        await farm.destroy(name);
      });
      process.stdout.write(`destroyed ${name}\n`);
    });
}
