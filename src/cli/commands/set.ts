import type { Command } from 'commander';
import { redact } from '../../bots/bot.js';
import { withFarm } from '../context.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('set')
    .description('change settings: template, every, per-tick, grab, paused, reader, token, secret')
    .argument('<name>')
    .argument('<key=value...>', 'e.g. every=30m paused=true "template={noun:gent} нет"')
    .option('--json', 'print the bot as JSON afterwards')
    .action(async (name: string, assignments: string[], opts: { json?: boolean }) => {
      const bot = await withFarm((farm) => farm.set(name, assignments));
      if (opts.json) printJson(redact(bot));
      else process.stdout.write(`updated ${bot.name}\n`);
    });
}
