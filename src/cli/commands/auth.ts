import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { withFarm } from '../context.js';

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

export function register(program: Command): void {
  program
    .command('auth')
    .description('OAuth 1.0a PIN flow: prints the authorize URL, reads the PIN from stdin, stores the tokens on the bot')
    .argument('<name>', 'the bot')
    .action(async (name: string) => {
      const { pinFlow } = await import('../../x/auth.js');
      try {
        const who = await withFarm(async (farm) => {
          const bot = await farm.store.require(botName(name));
          const account = await pinFlow(farm.config, {
            show: (url) => process.stderr.write(`Open this URL, authorize, then type the PIN:\n${url}\n`),
            readPin: readLine,
          });
          // Who the tokens belong to is stored with them: the tick would otherwise learn it with an extra call.
          await farm.setCredentials(bot.name, account);
          return { name: bot.name, username: account.username };
        });
        process.stdout.write(`authorized ${who.name} as @${who.username}\n`);
      } finally {
        process.stdin.pause();
        const { destroyAgents } = await import('../../x/client.js');
        destroyAgents();
      }
    });
}
