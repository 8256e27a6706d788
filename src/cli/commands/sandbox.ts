import type { Command } from 'commander';
import { parsePort, parseTier } from '../args.js';
import type { CommandContext, Io } from '../context.js';

/**
 * `tfctl sandbox`: serves the local X API until SIGINT/SIGTERM. The first stdout line is the
 * contract scripts wait for (`listening on http://127.0.0.1:PORT`); the app keys and seeded account
 * names follow on later lines, for a human setting up TFCTL_CONSUMER_KEY/SECRET.
 */
export interface SandboxOptions {
  port: string;
  tier: string;
  state?: string;
  seed: boolean;
}

/** Serves the sandbox until `signal` aborts. */
export async function run(opts: SandboxOptions, io: Io, signal: AbortSignal): Promise<void> {
  const port = parsePort(opts.port);
  const tier = parseTier(opts.tier);
  const { startSandbox } = await import('../../sandbox/server.js');
  const sb = await startSandbox({ port, tier, seed: opts.seed, ...(opts.state ? { stateFile: opts.state } : {}) });
  io.out(`listening on ${sb.url}\n`);
  io.out(`tier ${tier}\n`);
  io.out(`TFCTL_X_API=${sb.url}\n`);
  io.out(`TFCTL_CONSUMER_KEY=${sb.app.consumerKey}\n`);
  io.out(`TFCTL_CONSUMER_SECRET=${sb.app.consumerSecret}\n`);
  const names = [...sb.state.accounts.values()].map((a) => a.username);
  io.out(`accounts: ${names.length ? names.join(' ') : '(none)'}; tokens: POST ${sb.url}/sandbox/accounts {"username": NAME}\n`);
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await sb.close();
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('sandbox')
    .description('serve a local X API (v2 endpoints, OAuth 1.0a, rate limits, admin API under /sandbox/)')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', '0')
    .option('--tier <tier>', 'rate-limit tier: free, basic or pro', 'pro')
    .option('--state <file>', 'load state from FILE if it exists and keep saving to it')
    .option('--no-seed', 'start empty, without the Russian fixture accounts and tweets')
    .action(async (opts: SandboxOptions) => {
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      await run(opts, ctx.io, stop.signal);
    });
}
