import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../store/client.js';
import type { Keys } from '../store/keys.js';
import { eventView, parseEntry } from './index.js';

/**
 * Delivers the farm's events to TFCTL_WEBHOOK_URL, each as one JSON POST, in order.
 *
 * It reads the events stream through a consumer group of its own (`webhook`), so an event is acknowledged
 * only after the receiver answered 2xx: a receiver that is down gets what it missed later, in order, and
 * nothing it acknowledged comes again. A failed POST stops the run (order is kept: nothing after it is
 * sent) and backs off exponentially (1 s, 2 s, 4 s… at most 10 min), the wait kept in Redis so every run
 * honours it. A lock keeps two runs (overlapping cron jobs) from sending the same event twice.
 *
 * Where it runs: at the end of every `tfctl tick` (and each round of `tfctl run`), after all bots have
 * ticked and within a time budget (TFCTL_WEBHOOK_BUDGET_MS), so a slow or dead receiver never delays a bot.
 * Every POST carries the event's id in `X-Tfctl-Event-Id`, for a receiver that wants to deduplicate across
 * a crash between its 2xx and the acknowledgement.
 */
export const WEBHOOK_GROUP = 'webhook';
const BATCH = 50;
const BASE_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 10 * 60_000;
/** One POST may take this long at most (less when the budget has less left). */
const POST_TIMEOUT_MS = 5000;

export interface DeliveryOptions {
  url: string;
  /** How long this run may take in all. */
  budgetMs: number;
  /** For tests: the clock of the backoff (real time: it concerns a real receiver, not the farm's clock). */
  now?: () => number;
}

export interface DeliveryReport {
  sent: number;
  /** Why it stopped before the end, if it did. */
  stopped?: 'busy' | 'backoff' | 'budget' | string;
}

/**
 * Creates the delivery group at the stream's end if it does not exist: a farm's first run with a webhook
 * starts from its own events, not the stream's whole history. Call before the bots tick.
 */
export async function ensureWebhookGroup(redis: RedisClient, keys: Keys): Promise<void> {
  try {
    await redis.xgroup('CREATE', keys.events(), WEBHOOK_GROUP, '$', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
  }
}

export async function deliverEvents(redis: RedisClient, keys: Keys, opts: DeliveryOptions): Promise<DeliveryReport> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.budgetMs;
  const state = await redis.hgetall(keys.webhook());
  if (Number(state.next_at ?? 0) > now()) return { sent: 0, stopped: 'backoff' };
  const token = randomBytes(8).toString('hex');
  if ((await redis.set(keys.webhookLock(), token, 'PX', opts.budgetMs + POST_TIMEOUT_MS, 'NX')) !== 'OK') return { sent: 0, stopped: 'busy' };
  let sent = 0;
  try {
    await ensureWebhookGroup(redis, keys);
    // Pending first (sent before, never acknowledged: a failed POST or a crash), then new ones.
    for (const from of ['0', '>']) {
      for (;;) {
        if (now() >= deadline) return { sent, stopped: 'budget' };
        const reply = (await redis.xreadgroup('GROUP', WEBHOOK_GROUP, 'tfctl', 'COUNT', BATCH, 'STREAMS', keys.events(), from)) as Array<[string, Array<[string, string[] | null]>]> | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) break;
        for (const [id, flat] of entries) {
          // Trimmed away by the cap while pending: nothing left to send.
          if (!flat) {
            await redis.xack(keys.events(), WEBHOOK_GROUP, id);
            continue;
          }
          const left = deadline - now();
          if (left <= 0) return { sent, stopped: 'budget' };
          const failure = await post(opts.url, id, JSON.stringify(eventView(parseEntry(id, flat))), Math.min(POST_TIMEOUT_MS, left));
          if (failure) {
            const failures = Number(state.failures ?? 0) + 1;
            const wait = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (failures - 1));
            await redis.hset(keys.webhook(), { failures: String(failures), next_at: String(now() + wait), last_error: failure });
            return { sent, stopped: failure };
          }
          await redis.xack(keys.events(), WEBHOOK_GROUP, id);
          if (sent++ === 0 && state.failures) await redis.hdel(keys.webhook(), 'failures', 'next_at', 'last_error');
        }
        // Re-reading pending entries from '0' would return the same ones again: only new ones loop.
        if (from === '0' && entries.length < BATCH) break;
      }
    }
    return { sent };
  } finally {
    await redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, keys.webhookLock(), token).catch(() => {});
  }
}

/** POSTs one event; null on a 2xx, otherwise why not (the URL is never part of it: it may hold a secret). */
async function post(url: string, id: string, body: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'tfctl', 'x-tfctl-event-id': id },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string }; message?: string };
    return e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.message ?? 'network error');
  }
}
