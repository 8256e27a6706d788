/**
 * A fault-injecting HTTP proxy between the farm and the X API sandbox. It forwards every request and,
 * when told to, spoils the exchange the way real networks and a sick X do: a 5xx or an empty `{}` after
 * the tweet was created, a truncated body, a reset connection before or after forwarding, a delay, a 429.
 * Every POST it forwards is logged with what the sandbox answered, so re-sent POSTs can be counted.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind =
  | 'post-5xx-after-create'
  | 'post-truncated'
  | 'post-empty-body'
  | 'post-reset-after-create'
  | 'post-reset-before'
  | 'get-5xx'
  | 'get-reset'
  /** the account's own tweets answered empty, as when X's read side lags behind a post */
  | 'get-empty'
  | 'rate-429'
  | 'delay';

/** A fault armed for the `nth` matching request from now (1 = the next one). */
export interface ArmedFault {
  kind: FaultKind;
  nth: number;
  /** for delay: how long the request is held before it is forwarded */
  delayMs?: number;
}

export interface PostLogEntry {
  /** the OAuth access token that signed it: who posted */
  token: string;
  text: string;
  /** the sandbox's status; 0 when the request was never forwarded */
  upstream: number;
  /** the fault applied to the answer, if any */
  fault?: FaultKind;
  tag: string;
}

const POST_FAULTS = new Set<FaultKind>(['post-5xx-after-create', 'post-truncated', 'post-empty-body', 'post-reset-after-create', 'post-reset-before']);
const GET_FAULTS = new Set<FaultKind>(['get-5xx', 'get-reset', 'get-empty']);

export class FaultProxy {
  readonly posts: PostLogEntry[] = [];
  /** a label written into the POST log (the harness sets the round and fault type) */
  tag = '';
  private armed: Array<ArmedFault & { seen: number }> = [];
  private server!: Server;
  url = '';

  private constructor(private readonly upstream: URL) {}

  static async start(upstreamUrl: string): Promise<FaultProxy> {
    const p = new FaultProxy(new URL(upstreamUrl));
    p.server = createServer((req, res) => void p.handle(req, res));
    p.server.keepAliveTimeout = 5000;
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
    p.url = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
    return p;
  }

  arm(fault: ArmedFault): void {
    this.armed.push({ ...fault, seen: 0 });
  }

  disarm(): void {
    this.armed = [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  /** The fault this request triggers, if one is armed for it. */
  private take(method: string, path: string): ArmedFault | undefined {
    const isPost = method === 'POST' && path === '/2/tweets';
    const isGet = method === 'GET' && path.startsWith('/2/users/');
    for (const f of this.armed) {
      const applies =
        f.kind === 'delay' || f.kind === 'rate-429' ? isPost || isGet
        : f.kind === 'get-empty' ? isGet && path.endsWith('/tweets')
        : POST_FAULTS.has(f.kind) ? isPost
        : GET_FAULTS.has(f.kind) && isGet;
      if (!applies) continue;
      if (++f.seen === f.nth) {
        this.armed = this.armed.filter((x) => x !== f);
        return f;
      }
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0]!;
    const fault = path.startsWith('/sandbox/') ? undefined : this.take(req.method ?? 'GET', path);
    const isPost = req.method === 'POST' && path === '/2/tweets';
    const log: PostLogEntry | undefined = isPost ? { token: tokenOf(req.headers.authorization), text: textOf(body), upstream: 0, tag: this.tag } : undefined;
    if (log) this.posts.push(log);
    if (fault) {
      if (log) log.fault = fault.kind;
      if (fault.kind === 'post-reset-before' || fault.kind === 'get-reset') return void req.socket.destroy();
      if (fault.kind === 'rate-429') {
        const reset = Math.ceil(Date.now() / 1000) + 1;
        res.writeHead(429, { 'content-type': 'application/json', 'x-rate-limit-limit': '1', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) });
        return void res.end(JSON.stringify({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }));
      }
      if (fault.kind === 'get-5xx') return void serviceUnavailable(res);
      if (fault.kind === 'get-empty') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ meta: { result_count: 0 } }));
      }
      // A delayed request is forwarded even when the client has given up or died meanwhile, as on a real network.
      if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs ?? 500));
    }
    let up: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };
    try {
      up = await forward(this.upstream, req, body);
    } catch {
      return void req.socket.destroy();
    }
    if (log) log.upstream = up.status;
    if (res.destroyed || req.socket.destroyed) return;
    switch (fault?.kind) {
      case 'post-5xx-after-create':
        return void serviceUnavailable(res);
      case 'post-empty-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{}');
      case 'post-reset-after-create':
        return void req.socket.destroy();
      case 'post-truncated': {
        // Half the body under the full length: the client sees the connection end mid-answer.
        const cut = up.body.subarray(0, Math.floor(up.body.length / 2));
        res.writeHead(up.status, { 'content-type': 'application/json', 'content-length': String(up.body.length) });
        res.write(cut);
        return void setTimeout(() => req.socket.destroy(), 10);
      }
      default: {
        const headers = { ...up.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        res.writeHead(up.status, headers);
        res.end(up.body);
      }
    }
  }
}

function serviceUnavailable(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: 503 }));
}

function forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // The Host header stays the farm's: the OAuth signature was made over the URL the farm called.
    const headers = { ...req.headers };
    delete headers.connection;
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

function tokenOf(auth: string | undefined): string {
  return decodeURIComponent(/oauth_token="([^"]*)"/.exec(auth ?? '')?.[1] ?? '');
}

function textOf(body: Buffer): string {
  try {
    const v = JSON.parse(body.toString('utf8')) as { text?: unknown };
    return typeof v.text === 'string' ? v.text : '';
  } catch {
    return '';
  }
}
