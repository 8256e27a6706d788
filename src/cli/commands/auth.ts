import type { Command } from 'commander';
import { idFromToken } from '../../bots/account.js';
import { botName } from '../../bots/bot.js';
import type { Config } from '../../config.js';
import type { PinPrompt } from '../../x/auth.js';
import { withFarm, type CommandContext, type Io } from '../context.js';

/** The first line on stdin, whether a terminal or a pipe; undefined when stdin ends first. */
async function readLine(): Promise<string | undefined> {
  // readline is loaded here, not at start-up: every command would pay for it otherwise.
  const { createInterface } = await import('node:readline');
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: false });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!done) resolve(undefined);
    });
  });
}

export interface AuthOptions {
  name: string;
}

/** The PIN flow for one bot; `prompt` shows the URL and reads the PIN (the process's stderr and stdin by default). */
export async function run(opts: AuthOptions, io: Io, config: Config, prompt?: PinPrompt): Promise<void> {
  const { pinFlow } = await import('../../x/auth.js');
  try {
    const who = await withFarm(config, async (farm) => {
      const bot = await farm.store.require(botName(opts.name));
      const account = await pinFlow(farm.config, prompt ?? {
        show: (url) => io.err(`Open this URL, authorize, then type the PIN:\n${url}\n`),
        readPin: readLine,
      });
      // Who the tokens belong to is stored with them: the tick would otherwise learn it with an extra call.
      await farm.setCredentials(bot.name, account);
      const others = (await farm.store.all()).filter((b) => b.name !== bot.name && (b.userId ?? idFromToken(b.token)) === account.userId);
      return { name: bot.name, username: account.username, others: others.map((b) => b.name) };
    });
    // Allowed (an operator may be moving an account between bots), but two bots on one account post
    // as one and share its rate limits: worth a word.
    if (who.others.length) {
      io.err(`tfctl: warning: @${who.username} is already bound to bot ${who.others.join(', ')} of this farm; both act as the same account\n`);
    }
    io.out(`authorized ${who.name} as @${who.username}\n`);
  } finally {
    if (!prompt) process.stdin.pause();
    const { destroyAgents } = await import('../../x/client.js');
    destroyAgents();
  }
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('auth')
    .description('OAuth 1.0a PIN flow: prints the authorize URL, reads the PIN from stdin, stores the tokens on the bot')
    .argument('<name>', 'the bot')
    .action((name: string) => run({ name }, ctx.io, ctx.config()));
}
