import { classifyXError } from '../x/errors.js';
import type { Outcome } from './types.js';

/**
 * Turns a failed X call into an outcome: a 429 pauses this bot's endpoint until the reset, a revoked
 * token marks the bot failing (its data stays), anything else is an error the next tick retries: soon
 * (a backoff, see tick.ts) when it is transient, after the bot's interval otherwise.
 */
export function outcomeOfError(err: unknown, endpoint: string, extra: Partial<Outcome> = {}, now = Date.now()): Outcome {
  // `now` is the farm's clock: a reset time X gives is compared with it (the sandbox's, in rehearsals).
  const c = classifyXError(err, now);
  switch (c.kind) {
    case 'rate_limited':
      return { ...extra, status: 'rate_limited', detail: `rate-limited on ${endpoint} until ${new Date(c.resetAt).toISOString()}`, pause: { endpoint, until: c.resetAt }, counters: { ...extra.counters, rate_limited: 1 } };
    case 'auth_revoked':
      return { ...extra, status: 'failed', detail: `auth failed: ${c.reason}`, error: `auth failed on ${endpoint}: ${c.reason} (give new tokens with tfctl auth or tfctl set)`, failing: true, counters: { ...extra.counters, errors: 1 } };
    case 'duplicate':
      return { ...extra, status: 'failed', detail: 'duplicate content', error: `unexpected duplicate-content reply from ${endpoint}`, counters: { ...extra.counters, errors: 1 } };
    default: {
      const o: Outcome = { ...extra, status: 'failed', detail: `${c.kind} error: ${c.reason}`, error: `${endpoint}: ${c.reason}`, counters: { ...extra.counters, errors: 1 } };
      if (c.kind === 'transient') o.transient = true;
      return o;
    }
  }
}
