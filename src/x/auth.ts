import { OperationalError, UsageError } from '../errors.js';

/** How the PIN flow talks to the operator: show the authorize URL, then read the PIN they type. */
export interface PinPrompt {
  show(url: string): void;
  readPin(): Promise<string | undefined>;
}

/** The account's tokens and who they belong to. */
export interface Authorized {
  token: string;
  secret: string;
  userId: string;
  username: string;
}

/**
 * OAuth 1.0a PIN ("oob") flow: a request token, the authorize URL for the operator, the PIN back, then
 * the access token. The caller stores it on the bot. Token values never reach an error message.
 */
export async function pinFlow(config: { consumerKey?: string | undefined; consumerSecret?: string | undefined; xApi?: string | undefined }, prompt: PinPrompt): Promise<Authorized> {
  const { consumerKey, consumerSecret, xApi } = config;
  if (!consumerKey || !consumerSecret) {
    throw new UsageError('the X app is not configured: set TFCTL_CONSUMER_KEY and TFCTL_CONSUMER_SECRET');
  }
  const { createXClient, rewriteAuthLink } = await import('./client.js');
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
  return { token: login.accessToken, secret: login.accessSecret, userId: login.userId, username: login.screenName };
}

/** A short reason without the request's details (its URL and headers carry tokens). */
function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'number') return `HTTP ${e.code}`;
  if (typeof e?.code === 'string') return e.code;
  return err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : 'unknown error';
}
