/** Small HTTP helpers shared by the API and admin handlers: replies, X's problem bodies, body reading. */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

export const MAX_BODY = 64 * 1024;

export interface Reply {
  status: number;
  /** serialised as JSON unless `text` is given */
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

/** Type guard: a handler helper returned an error reply instead of a value. */
export const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'status' in v && typeof (v as Reply).status === 'number';

export function send(res: ServerResponse, reply: Reply, extra?: Record<string, string>): void {
  if (res.headersSent) return;
  const isProblem = reply.status >= 400 && reply.text === undefined;
  const payload = reply.text ?? JSON.stringify(reply.body ?? {});
  const headers: Record<string, string | number> = {
    'content-type': reply.contentType ?? (isProblem ? 'application/problem+json' : 'application/json; charset=utf-8'),
    'content-length': Buffer.byteLength(payload),
    ...extra,
    ...reply.headers,
  };
  res.writeHead(reply.status, headers);
  res.end(payload);
}

// ---- X's problem bodies (RFC 7807 as X shapes them) -------------------------------------------

/** The generic `about:blank` problem X sends for 401, 403, 404, 429, 5xx… */
export function generic(status: number, detail?: string): Reply {
  const title = STATUS_CODES[status] ?? 'Error';
  return json(status, { title, detail: detail ?? title, type: 'about:blank', status });
}

export const unauthorized = (): Reply => generic(401);
export const tooManyRequests = (): Reply => generic(429);
export const forbidden = (detail?: string): Reply => generic(403, detail);
export const duplicate = (): Reply =>
  json(403, {
    detail: 'You are not allowed to create a Tweet with duplicate content.',
    type: 'about:blank',
    title: 'Forbidden',
    status: 403,
  });

export interface ParamError {
  message: string;
  parameters?: Record<string, string[]>;
}

export function invalidRequest(...errors: ParamError[]): Reply {
  return json(400, {
    errors,
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  });
}

export function invalidParam(name: string, value: string, message: string): Reply {
  return invalidRequest({ parameters: { [name]: [value] }, message });
}

/** The tier has no access to the endpoint (X: 403, client-not-enrolled). */
export function notEnrolled(): Reply {
  return json(403, {
    client_id: 'sandbox',
    detail: 'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.',
    registration_url: 'https://developer.twitter.com/en/docs/projects/overview',
    title: 'Client Forbidden',
    required_enrollment: 'Appropriate Level of API Access',
    reason: 'client-not-enrolled',
    type: 'https://api.twitter.com/2/problems/client-forbidden',
  });
}

/** An endpoint called with a kind of authentication it does not take (X: 403). */
export function unsupportedAuth(kind: 'OAuth 2.0 Application-Only' | 'OAuth 1.0a User Context', allowed: string): Reply {
  return json(403, {
    title: 'Unsupported Authentication',
    detail: `Authenticating with ${kind} is forbidden for this endpoint.  Supported authentication types are [${allowed}].`,
    type: 'https://api.twitter.com/2/problems/unsupported-authentication',
    status: 403,
  });
}

/** A second filtered-stream connection for the app (X: 429 with this body). */
export function tooManyConnections(): Reply {
  return json(429, {
    title: 'ConnectionException',
    detail: 'This stream is currently at the maximum allowed connection limit.',
    connection_issue: 'TooManyConnections',
    type: 'https://api.twitter.com/2/problems/streaming-connection',
  });
}

export function notFoundProblem(parameter: string, value: string, resource: 'tweet' | 'user') {
  return {
    value,
    detail: `Could not find ${resource} with ${parameter}: [${value}].`,
    title: 'Not Found Error',
    resource_type: resource,
    parameter,
    resource_id: value,
    type: 'https://api.twitter.com/2/problems/resource-not-found',
  };
}

// ---- request bodies ---------------------------------------------------------------------------

export const TOO_LARGE = Symbol('too large');

/**
 * Reads the body up to MAX_BODY. Past the limit it stops collecting and resolves TOO_LARGE; the
 * caller answers 413 with `connection: close`, so the rest is never read.
 */
export function readBody(req: IncomingMessage): Promise<Buffer | typeof TOO_LARGE> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > MAX_BODY) return Promise.resolve(TOO_LARGE);
  if (declared === 0 || (Number.isNaN(declared) && !req.headers['transfer-encoding'])) {
    req.resume();
    return Promise.resolve(EMPTY);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', () => resolve(TOO_LARGE));
  });
}

const EMPTY = Buffer.alloc(0);

export class BadJson extends Error {}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new BadJson('Request body is empty');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadJson(`Request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function formPairs(body: Buffer): Array<[string, string]> {
  return [...new URLSearchParams(body.toString('utf8'))];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
