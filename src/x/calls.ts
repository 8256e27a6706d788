/**
 * Which X calls a piece of work made, with each one's HTTP status and duration, for the tick's log.
 * twitter-api-v2 does not report the status of a call that succeeded, so the calls are seen where Node
 * makes them: the `http.client.request.start` diagnostics channel, published synchronously inside
 * http.request(). A request is matched to its recorder by its Authorization header, which the recorder's
 * client plugin noted just before the library made the request: OAuth 1.0a signs every request with a
 * nonce of its own, so the header names one request. (An AsyncLocalStorage did this before; on Node 20
 * it puts a hook on every promise of a tick, some 5% of a big tick's CPU.)
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { ITwitterApiClientPlugin } from 'twitter-api-v2';

export interface XCall {
  /** "POST /2/tweets", ids in the path as :id. */
  call: string;
  /** The HTTP status, or the network error's code (ECONNREFUSED, ETIMEDOUT…). */
  status: number | string;
  ms: number;
}

/** Requests announced by a plugin and not yet made, by Authorization header: whose calls they join, first come first served. */
const announced = new Map<string, XCall[][]>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  diagnostics.subscribe('http.client.request.start', (message) => {
    const request = (message as { request: ClientRequest }).request;
    const key = request.getHeader('authorization');
    const waiting = typeof key === 'string' ? announced.get(key) : undefined;
    const calls = waiting?.shift();
    if (!calls) return;
    if (waiting!.length === 0) announced.delete(key as string);
    const started = performance.now();
    const call: XCall = { call: `${request.method} ${shape(request.path)}`, status: 'pending', ms: 0 };
    calls.push(call);
    const done = (status: number | string) => {
      if (call.status !== 'pending') return;
      call.status = status;
      call.ms = Math.round(performance.now() - started);
    };
    request.once('response', (res: IncomingMessage) => done(res.statusCode ?? 0));
    // The library has its own error listener; this one only notes the code.
    request.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
    request.once('close', () => done('aborted'));
  });
}

/** The path without its query, ids as :id (so calls group across bots and accounts); /2/ stays. */
function shape(path: string): string {
  return path.split('?')[0]!.replace(/\/\d{3,}(?=\/|$)/g, '/:id');
}

/**
 * The X calls of one piece of work (one bot's tick): its clients carry a recordingPlugin, which announces
 * each request they are about to make; `done()` ends the recording and returns the calls.
 */
export class CallRecorder {
  readonly calls: XCall[] = [];
  private readonly keys = new Set<string>();

  constructor() {
    listen();
  }

  /** A request its client is about to make (recordingPlugin): the next one made with these headers is this recorder's. */
  announce(headers: Record<string, unknown>): void {
    const key = headers.Authorization ?? headers.authorization;
    if (typeof key !== 'string') return;
    const waiting = announced.get(key);
    if (waiting) waiting.push(this.calls);
    else announced.set(key, [this.calls]);
    this.keys.add(key);
  }

  /** The calls made; requests announced but never made are forgotten. */
  done(): XCall[] {
    for (const key of this.keys) {
      const waiting = announced.get(key);
      if (!waiting) continue;
      const left = waiting.filter((c) => c !== this.calls);
      if (left.length) announced.set(key, left);
      else announced.delete(key);
    }
    this.keys.clear();
    return this.calls;
  }
}

/** For a client (createXClient's `plugins`): its requests are recorded by whichever recorder `current` names then. */
export function recordingPlugin(current: () => CallRecorder | undefined): ITwitterApiClientPlugin {
  return { onBeforeRequest: ({ requestOptions }) => current()?.announce((requestOptions.headers ?? {}) as Record<string, unknown>) };
}
