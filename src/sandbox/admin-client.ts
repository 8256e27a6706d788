/**
 * A small client for the sandbox's admin API (the contract in ARCHITECTURE.md §6), used by the demo,
 * the benchmark and tests. It speaks plain HTTP, so it works against any running sandbox.
 */
export interface SandboxAccount {
  id: string;
  username: string;
  token: string;
  secret: string;
}

export class SandboxAdmin {
  constructor(readonly url: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/sandbox/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} /sandbox/${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  app(): Promise<{ consumer_key: string; consumer_secret: string }> { return this.call('GET', 'app'); }
  account(username: string): Promise<SandboxAccount> { return this.call('POST', 'accounts', { username }); }
  follow(follower: string, followee: string): Promise<unknown> { return this.call('POST', 'follows', { follower, followee }); }
  tweet(username: string, text: string): Promise<{ id: string; text: string }> { return this.call('POST', 'tweets', { username, text }); }
  tweets(username: string): Promise<Array<{ id: string; text: string }>> {
    return this.call<unknown>('GET', `tweets?username=${encodeURIComponent(username)}`).then(unwrapList);
  }
  requests(): Promise<Record<string, number>> { return this.call('GET', 'requests'); }
  clock(advance: number): Promise<unknown> { return this.call('POST', 'clock', { advance }); }
  faults(path: string, status: number, count: number, method?: string): Promise<unknown> {
    return this.call('POST', 'faults', method ? { path, status, count, method } : { path, status, count });
  }
}

/** GET /sandbox/tweets answers a list, either bare or as {data: […]}. */
function unwrapList(body: unknown): Array<{ id: string; text: string }> {
  if (Array.isArray(body)) return body as Array<{ id: string; text: string }>;
  const data = (body as { data?: unknown; tweets?: unknown }).data ?? (body as { tweets?: unknown }).tweets;
  return (Array.isArray(data) ? data : []) as Array<{ id: string; text: string }>;
}
