/**
 * The load client for the sandbox benchmark, run in a worker thread so that signing requests does
 * not compete with the server for the main thread. It is a realistic client: twitter-api-v2 through
 * createXClient (the farm's own path: plugin, OAuth 1.0a signing, keep-alive agent), `concurrency`
 * posts in flight, each with a unique text.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { baseString, hmacSha1, percentEncode, signingKey } from '../sandbox/oauth.js';
import { createXClient } from '../x/client.js';

export interface LoadJob {
  url: string;
  app: { consumer_key: string; consumer_secret: string };
  accounts: Array<{ token: string; secret: string }>;
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  /**
   * 'lean': node:http with a keep-alive agent and a minimal OAuth 1.0a signer (fresh nonce and
   * timestamp, HMAC-SHA1 per request), so the client's own overhead is small and the number
   * reflects the server. 'twitter-api-v2': the farm's real client, heavier per request.
   */
  client: 'lean' | 'twitter-api-v2';
}

export interface LoadResult {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  elapsedMs: number;
}

type Post = (account: number, text: string) => Promise<number>;

function libClient(job: LoadJob): Post {
  const clients = job.accounts.map((a) =>
    createXClient({ apiBase: job.url, appKey: job.app.consumer_key, appSecret: job.app.consumer_secret, accessToken: a.token, accessSecret: a.secret }),
  );
  return async (i, text) => {
    try {
      await clients[i % clients.length]!.v2.tweet(text);
      return 201;
    } catch (err) {
      return Number((err as { code?: unknown }).code) || 0;
    }
  };
}

function leanClient(job: LoadJob): Post {
  const u = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const keys = job.accounts.map((a) => signingKey(job.app.consumer_secret, a.secret));
  const base = `${u.origin}/2/tweets`;
  return (i, text) =>
    new Promise((resolve) => {
      const a = job.accounts[i % job.accounts.length]!;
      const p: Record<string, string> = {
        oauth_consumer_key: job.app.consumer_key,
        oauth_nonce: randomBytes(16).toString('hex'),
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: String(Math.floor(Date.now() / 1000)),
        oauth_token: a.token,
        oauth_version: '1.0',
      };
      p.oauth_signature = hmacSha1(baseString('POST', base, Object.entries(p)), keys[i % keys.length]!);
      const auth = 'OAuth ' + Object.entries(p).map(([k, v]) => `${k}="${percentEncode(v)}"`).join(', ');
      const body = JSON.stringify({ text });
      const req = http.request(
        { host: u.hostname, port: u.port, path: '/2/tweets', method: 'POST', agent, headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const post = job.client === 'lean' ? leanClient(job) : libClient(job);
  let seq = 0;
  let counting = false;
  let ok = 0;
  let failed = 0;
  const statuses: Record<string, number> = {};
  const start = Date.now();
  const measureFrom = start + job.warmupSeconds * 1000;
  const end = measureFrom + job.seconds * 1000;
  let measuredStart = 0;
  const lane = async () => {
    while (Date.now() < end) {
      const n = seq++;
      if (!counting && Date.now() >= measureFrom) {
        counting = true;
        measuredStart = Date.now();
      }
      const counted = counting;
      const status = await post(n, `Нагрузочный твит №${n}: кофе, метро и кот`);
      if (!counted) continue;
      if (status === 201) ok++;
      else {
        failed++;
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  return { ok, failed, statuses, elapsedMs: Date.now() - (measuredStart || end) };
}

if (parentPort && workerData) {
  run(workerData as LoadJob).then(
    (r) => parentPort!.postMessage(r),
    (err) => parentPort!.postMessage({ error: String((err as Error)?.stack ?? err) }),
  );
}
