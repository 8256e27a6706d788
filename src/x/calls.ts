/**
 * Which X calls a piece of work made, with each one's HTTP status and duration, for the tick's log.
 * twitter-api-v2 does not report the status of a call that succeeded, so the calls are seen where
 * Node makes them: the `http.client.request.start` diagnostics channel, run synchronously inside
 * http.request(), where the AsyncLocalStorage of the bot that made the call is still current.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface XCall {
  /** "POST /2/tweets", ids in the path as :id. */
  call: string;
  /** The HTTP status, or the network error's code (ECONNREFUSED, ETIMEDOUT…). */
  status: number | string;
  ms: number;
}

const current = new AsyncLocalStorage<XCall[]>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  diagnostics.subscribe('http.client.request.start', (message) => {
    const calls = current.getStore();
    if (!calls) return;
    const request = (message as { request: ClientRequest }).request;
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

/** Runs `fn`, collecting the X calls it makes (HTTP requests from anywhere within it). */
export async function recordXCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: XCall[] }> {
  listen();
  const calls: XCall[] = [];
  const result = await current.run(calls, fn);
  return { result, calls };
}
