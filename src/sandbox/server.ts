/**
 * The X API sandbox: a node:http server on 127.0.0.1 that behaves like the X API v2 for the calls
 * the farm makes (see api.ts), with OAuth 1.0a checks, per-tier rate limits, faults on demand and
 * an admin API under /sandbox/ (admin.ts). Every request is handled inside a try/catch: bad input
 * gets a problem body, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import { authenticate } from './auth.js';
import type { Core, Ctx, Fault } from './core.js';
import { BadJson, generic, invalidRequest, json, notEnrolled, readBody, send, TOO_LARGE, tooManyRequests, type Reply } from './http.js';
import { Limiter, LIMITS } from './limits.js';
import { NonceCache } from './oauth.js';
import { checkQuery } from './params.js';
import { matchRoute } from './routes/index.js';
import { applySeed } from './seed.js';
import { Persister, readStateFile, State, type Tier } from './state.js';

export type { Tier } from './state.js';

export interface SandboxOptions {
  /** 0 or absent: any free port */
  port?: number;
  tier?: Tier;
  /** JSON file to load at start (if present) and save to (debounced) */
  stateFile?: string;
  /** true (default) loads the Russian fixture; a number also sets the seed for keys and metrics */
  seed?: boolean | number;
  /** base clock in ms (default Date.now); the sandbox clock adds /sandbox/clock advances */
  now?: () => number;
  /** how often an idle filtered stream sends `\r\n` (X: every 20 s; tests set it shorter) */
  keepAliveMs?: number;
}

export interface Sandbox {
  url: string;
  port: number;
  core: Core;
  /** shortcut to core.state: accounts, tweets, follows, counters */
  readonly state: State;
  app: { consumerKey: string; consumerSecret: string };
  close(): Promise<void>;
}

export const DEFAULT_SEED = 1;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const seedNum = typeof opts.seed === 'number' ? opts.seed : DEFAULT_SEED;
  const withFixture = opts.seed !== false;
  const now = opts.now ?? Date.now;
  const loaded = opts.stateFile ? readStateFile(opts.stateFile) : undefined;

  const fresh = (seeded: boolean): State => {
    const s = new State({ seed: loaded?.seed ?? seedNum, now });
    if (seeded) applySeed(s);
    return s;
  };
  let state: State;
  if (loaded) {
    state = new State({ seed: loaded.seed, now });
    state.load(loaded);
  } else state = fresh(withFixture);

  let persister: Persister | undefined;
  const core: Core = {
    state,
    limiter: new Limiter(opts.tier ?? 'pro'),
    nonces: new NonceCache(),
    faults: [],
    streams: new Set(),
    keepAliveMs: opts.keepAliveMs ?? 20_000,
    touch: () => persister?.touch(),
    reset(seeded) {
      for (const c of [...core.streams]) c.close();
      core.state = fresh(seeded);
      core.limiter.reset();
      core.faults.length = 0;
      if (opts.stateFile) persister = new Persister(opts.stateFile, core.state);
      core.touch();
    },
  };
  if (opts.stateFile) {
    persister = new Persister(opts.stateFile, state);
    if (!loaded) persister.touch();
  }

  const server = createServer((req, res) => {
    handle(core, req, res).catch((err) => {
      process.stderr.write(`tfctl sandbox: ${(err as Error)?.stack ?? err}\n`);
      if (!res.headersSent) send(res, generic(500));
      else res.destroy();
    });
  });
  // Keep-alive clients (the farm's http.Agent) reuse sockets; keep idle ones well past a tick.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    core,
    get state() {
      return core.state;
    },
    app: { consumerKey: state.app.key, consumerSecret: state.app.secret },
    close: () => closeServer(server, () => persister?.flush()),
  };
}

async function closeServer(server: Server, flush: () => Promise<void> | undefined): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await flush();
}

function takeFault(core: Core, method: string, template: string, path: string): Fault | undefined {
  if (core.faults.length === 0) return undefined;
  const i = core.faults.findIndex((f) => (f.path === template || f.path === path) && (!f.method || f.method === method));
  if (i < 0) return undefined;
  const f = core.faults[i]!;
  if (--f.remaining <= 0) core.faults.splice(i, 1);
  return f;
}

function faultReply(core: Core, f: Fault, route: string, nowMs: number): Reply {
  if (f.status === 429) {
    // A 429 the client can act on: the window's headers, exhausted, resetting in 15 minutes.
    const limit = LIMITS[route]?.[core.limiter.tier]?.user?.limit ?? 15;
    const reset = String(Math.floor(nowMs / 1000) + 900);
    return { ...tooManyRequests(), headers: { 'x-rate-limit-limit': String(limit), 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset } };
  }
  return generic(f.status);
}

async function handle(core: Core, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawUrl = req.url ?? '/';
  const qi = rawUrl.indexOf('?');
  const path = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
  const query = new URLSearchParams(qi < 0 ? '' : rawUrl.slice(qi + 1));
  const method = req.method ?? 'GET';

  const isAdmin = path === '/sandbox' || path.startsWith('/sandbox/');
  const match = isAdmin ? undefined : matchRoute(method, path);
  if (!isAdmin && !match) {
    req.resume();
    return send(res, generic(404));
  }
  const body = await readBody(req);
  if (body === TOO_LARGE) {
    return send(res, generic(413, 'Request body is larger than 64 KiB'), { connection: 'close' });
  }
  if (isAdmin) return send(res, handleAdmin(core, method, path, query, body));

  const { route, params } = match!;
  const { state } = core;
  state.countRequest(route.key);
  const nowMs = state.now();
  const fault = takeFault(core, method, route.template, path);
  if (fault) return send(res, faultReply(core, fault, route.key, nowMs));

  const ctx: Ctx = {
    core,
    method,
    path,
    route: route.key,
    params,
    query,
    body,
    contentType: req.headers['content-type'] ?? '',
    host: (req.headers.host ?? '').toLowerCase(),
    authHeader: req.headers.authorization,
    res,
  };
  const denied = authenticate(ctx, route.auth);
  if (denied) {
    // The 1.0a PIN flow answers in v1.1's error format.
    return send(res, route.template.startsWith('/oauth/') && denied.status === 401
      ? json(401, { errors: [{ code: 32, message: 'Could not authenticate you.' }] })
      : denied);
  }
  if (!core.limiter.enrolled(route.key)) return send(res, notEnrolled());
  let limitHeaders: Record<string, string> | undefined;
  if (ctx.user || ctx.app) {
    const lim = core.limiter.take(route.key, ctx.user?.id ?? 'app', nowMs, !!ctx.app);
    limitHeaders = lim.headers;
    if (!lim.ok) return send(res, tooManyRequests(), limitHeaders);
  }
  // Set on the response itself so the stream, which writes its own head, carries them too.
  if (limitHeaders) for (const [k, v] of Object.entries(limitHeaders)) res.setHeader(k, v);
  let reply: Reply | undefined;
  try {
    reply = (route.query && checkQuery(ctx, route.query)) || route.handler(ctx);
  } catch (err) {
    if (!(err instanceof BadJson)) throw err;
    reply = invalidRequest({ message: err.message });
  }
  // undefined: the handler answers on the response itself (the filtered stream).
  if (reply) send(res, reply);
}
