import type { Command } from 'commander';
import { botName } from '../../farm/bot.js';
import { botDetail } from '../../farm/view.js';
import { withFarm } from '../context.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('show')
    .description("one bot's settings and state (secrets redacted)")
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (nameInput: string, opts: { json?: boolean }) => {
      const name = botName(nameInput);
      const detail = await withFarm(async (farm) => {
        const bot = await farm.store.require(name);
        const backlog = (await farm.store.backlogs([bot])).get(name);
        return botDetail(bot, backlog);
      });
      if (opts.json) return printJson(detail);
      const lines: string[] = [];
      for (const [key, value] of Object.entries(detail)) {
        if (value === null || value === undefined) continue;
        if (typeof value === 'object') {
          const parts = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${v}`);
          lines.push(`${key}: ${parts.join(' ')}`);
        } else lines.push(`${key}: ${value}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
