import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { parseCount } from '../../bots/values.js';
import { withFarm } from '../context.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('preview')
    .description('show what a writer would post from TEXT or from its next unprocessed tweets (nothing is taken)')
    .argument('<writer>')
    .option('--text <text>', 'compose from this text instead of the cached tweets')
    .option('--count <n>', 'how many unprocessed tweets to look at (default: the writer\'s grab)')
    .option('--json', 'print JSON')
    .action(async (nameInput: string, opts: { text?: string; count?: string; json?: boolean }) => {
      const name = botName(nameInput);
      const count = opts.count ? parseCount(opts.count, 'count', 1, 1000) : undefined;
      const { preview } = await import('../../bots/writer/preview.js');
      const lines = await withFarm((farm) => preview(farm, name, { text: opts.text, count }));
      if (opts.json) return printJson(lines);
      if (lines.length === 0) {
        process.stdout.write(opts.text !== undefined ? 'no usable noun in that text\n' : 'nothing to compose: no unprocessed tweet yields a noun\n');
        return;
      }
      let source = '';
      for (const l of lines) {
        if (l.source !== source) {
          source = l.source;
          process.stdout.write(`${l.source === '-' ? 'text' : `tweet ${l.source}`}: ${l.tweet}\n`);
        }
        process.stdout.write(`  [${l.noun}] ${l.text}${l.posted_before ? '  (posted before)' : ''}\n`);
      }
    });
}
