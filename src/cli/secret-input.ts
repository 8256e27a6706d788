import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import type { Io } from './context.js';

/**
 * Tokens given on the command line are visible to every user of the machine (ps, /proc/PID/cmdline):
 * `--token-stdin` (the token and the secret, one per line) and TFCTL_TOKEN + TFCTL_TOKEN_SECRET keep
 * them out of it. The flags still work, with a warning when a person is at the terminal.
 */
export async function tokensFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<{ token: string; secret: string }> {
  let text = '';
  for await (const chunk of stdin) text += chunk.toString();
  const [token = '', secret = ''] = text.split(/\r?\n/).map((l) => l.trim());
  if (!token || !secret) throw new UsageError('--token-stdin expects the access token and its secret on stdin, one per line');
  return { token, secret };
}

export function tokensFromEnv(config: Config): { token: string; secret: string } | undefined {
  if (!config.token && !config.tokenSecret) return undefined;
  if (!config.token || !config.tokenSecret) throw new UsageError('TFCTL_TOKEN and TFCTL_TOKEN_SECRET go together');
  return { token: config.token, secret: config.tokenSecret };
}

export function warnVisible(io: Io): void {
  if (io.isTTY || process.stderr.isTTY) {
    io.err('tfctl: warning: tokens on the command line are visible to other users of this machine (ps); use --token-stdin or TFCTL_TOKEN and TFCTL_TOKEN_SECRET\n');
  }
}
