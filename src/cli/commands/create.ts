import type { Command } from 'commander';
import { parseRole, redact } from '../../bots/bot.js';
import { withFarm } from '../context.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('create')
    .description('create a reader or writer bot')
    .argument('<name>', 'bot name (letters, digits, _; a leading @ is ignored)')
    .argument('<role>', 'reader or writer')
    .option('--reader <name>', 'writer: the reader whose timeline it consumes')
    .option('--template <text>', 'writer: what it posts, e.g. "%s – это когда тебя любят." or "{noun:gent,plur}"')
    .option('--every <duration>', 'how often it is due, e.g. 90s, 30m, 2h (default 60m)')
    .option('--per-tick <n>', 'writer: posts per tick at most (default 1)')
    .option('--grab <n>', 'writer: unprocessed tweets taken per tick (default 3)')
    .option('--token <token>', 'the account\'s OAuth 1.0a access token')
    .option('--secret <secret>', 'the account\'s OAuth 1.0a access token secret')
    .option('--json', 'print the created bot as JSON')
    .action(async (name: string, roleInput: string, opts) => {
      const role = parseRole(roleInput);
      const bot = await withFarm((farm) => farm.create({ name, role, ...opts }));
      if (opts.json) printJson(redact(bot));
      else process.stdout.write(`created ${bot.role} ${bot.name}\n`);
    });
}
