import type { Command } from 'commander';
import { botDetail } from '../../bots/view.js';
import type { Config } from '../../config.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';
import { tokensFromEnv, tokensFromStdin, warnVisible } from '../secret-input.js';

export interface SetOptions {
  name: string;
  assignments: string[];
  json?: boolean;
  /** Read a new token and secret from stdin (one per line) instead of the command line. */
  tokenStdin?: boolean;
}

export async function run(opts: SetOptions, io: Io, config: Config): Promise<void> {
  const assignments = [...opts.assignments];
  const onLine = assignments.some((a) => /^(token|secret)=./i.test(a));
  // Tokens read from stdin or the environment are assignments that never appear in the process's arguments.
  const tokens = opts.tokenStdin ? await tokensFromStdin() : assignments.length === 0 ? tokensFromEnv(config) : undefined;
  if (tokens) assignments.push(`token=${tokens.token}`, `secret=${tokens.secret}`);
  else if (onLine) warnVisible(io);
  const shown = await withFarm(config, async (farm) => {
    const bot = await farm.set(opts.name, assignments);
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
    .argument('[key=value...]', 'e.g. every=30m paused=true "template={noun:gent} нет"')
    .option('--token-stdin', 'read a new access token and its secret from stdin, one per line (with no key=value, TFCTL_TOKEN and TFCTL_TOKEN_SECRET also work): kept out of ps')
    .option('--json', 'print the bot as JSON afterwards')
    .action((name: string, assignments: string[], opts: { json?: boolean; tokenStdin?: boolean }) => run({ name, assignments, ...opts }, ctx.io, ctx.config()));
}
