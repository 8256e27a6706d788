/** What every handler shares: the state, the limiter, the nonce cache, faults and the persister hook. */
import type { ServerResponse } from 'node:http';
import type { Limiter } from './limits.js';
import type { NonceCache } from './oauth.js';
import type { Account, State } from './state.js';

export interface Fault {
  path: string;
  method?: string;
  status: number;
  remaining: number;
}

export interface Core {
  state: State;
  limiter: Limiter;
  nonces: NonceCache;
  faults: Fault[];
  /** mark the state changed (debounced save with --state) */
  touch(): void;
  /** reseed / wipe, used by POST /sandbox/reset */
  reset(seed: boolean): void;
  /** open filtered-stream connections (one per app on X) */
  streams: Set<StreamConn>;
  /** how often an idle stream sends its keep-alive `\r\n` (X: 20 s) */
  keepAliveMs: number;
}

export interface StreamConn {
  res: ServerResponse;
  /** ends the connection from the server side */
  close(): void;
}

export interface Ctx {
  core: Core;
  method: string;
  path: string;
  /** "METHOD /template" — the counter and limiter key */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Buffer;
  contentType: string;
  host: string;
  authHeader: string | undefined;
  /** the authenticated user (OAuth 1.0a) */
  user?: Account;
  /** authenticated as the app alone (bearer token) */
  app?: boolean;
  /** the raw response, for the one handler that streams */
  res: ServerResponse;
}
