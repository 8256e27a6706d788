import { OperationalError, UsageError } from '../errors.js';
import { botName } from './bot.js';
import type { Farm } from './farm.js';

/** How the PIN flow talks to the operator: show the authorize URL, then read the PIN they type. */
export interface PinPrompt {
  show(url: string): void;
  readPin(): Promise<string | undefined>;
}

export interface Authorized {
  name: string;
  userId: string;
  username: string;
}

/**
 * OAuth 1.0a PIN ("oob") flow for one bot: a request token, the authorize URL for the operator, the
 * PIN back, then the access token, stored on the bot through Farm.set so token validation stays in one
 * place. Token values never reach the output or an error message.
 */
export async function authorizeBot(farm: Farm, nameInput: string, prompt: PinPrompt): Promise<Authorized> {
  const name = botName(nameInput);
  await farm.store.require(name);
  const { consumerKey, consumerSecret, xApi } = farm.config;
  if (!consumerKey || !consumerSecret) {
    throw new UsageError('the X app is not configured: set TFCTL_CONSUMER_KEY and TFCTL_CONSUMER_SECRET');
  }
  const { createXClient, rewriteAuthLink } = await import('../x/client.js');
  const app = createXClient({ apiBase: xApi, appKey: consumerKey, appSecret: consumerSecret });
  let link: { url: string; oauth_token: string; oauth_token_secret: string };
  try {
    // authorize, not authenticate: the PIN page asks every time, which is what binding a bot needs.
    link = await app.generateAuthLink('oob', { linkMode: 'authorize' });
  } catch (err) {
    throw new OperationalError(`cannot start the authorization with X: ${describe(err)}`);
  }
  prompt.show(rewriteAuthLink(link.url, xApi));
  const pin = (await prompt.readPin())?.trim();
  if (!pin) throw new UsageError('no PIN was given: run tfctl auth again and type the PIN the authorize page shows');

  const pending = createXClient({ apiBase: xApi, appKey: consumerKey, appSecret: consumerSecret, accessToken: link.oauth_token, accessSecret: link.oauth_token_secret });
  let login: { accessToken: string; accessSecret: string; userId: string; screenName: string };
  try {
    login = await pending.login(pin);
  } catch (err) {
    throw new OperationalError(`authorization failed: X did not accept the PIN (${describe(err)})`);
  }
  // Who the tokens belong to is stored with them: the tick would otherwise learn it with an extra call.
  await farm.setCredentials(name, { token: login.accessToken, secret: login.accessSecret, userId: login.userId, username: login.screenName });
  return { name, userId: login.userId, username: login.screenName };
}

/** A short reason without the request's details (its URL and headers carry tokens). */
function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'number') return `HTTP ${e.code}`;
  if (typeof e?.code === 'string') return e.code;
  return err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : 'unknown error';
}
