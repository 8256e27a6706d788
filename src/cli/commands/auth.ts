import type { Command } from 'commander';
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
      const { authorizeBot } = await import('../../farm/auth.js');
      try {
        const who = await withFarm((farm) =>
          authorizeBot(farm, name, {
            show: (url) => process.stderr.write(`Open this URL, authorize, then type the PIN:\n${url}\n`),
            readPin: readLine,
          }),
        );
        process.stdout.write(`authorized ${who.name} as @${who.username}\n`);
      } finally {
        process.stdin.pause();
        const { destroyAgents } = await import('../../x/client.js');
        destroyAgents();
      }
    });
}
