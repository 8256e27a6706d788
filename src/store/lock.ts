import { randomBytes } from 'node:crypto';
import type { RedisClient } from './client.js';
import type { Keys } from './keys.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * Tokens are this process's random part and a count: unique to each holder as random tokens are, without
 * asking the kernel for random bytes once per bot (a tick of 1,000 bots took a lock each).
 */
const RUN = randomBytes(12).toString('hex');
let held = 0;

/**
 * A per-bot lock (SET NX PX) so overlapping cron runs, or several hosts on one Redis, never tick one
 * bot at the same time. The value is a token no other holder has: only its holder can release it, and a
 * crashed holder's lock expires by itself. A tick takes it in its begin step (store/tick-steps.ts).
 */
export class BotLock {
  /** This holder's token: a script that takes or releases the lock in a bot's tick steps uses it (store/tick-steps.ts). */
  readonly token = `${RUN}-${++held}`;

  constructor(private readonly redis: RedisClient, private readonly keys: Keys, readonly name: string, readonly ttlMs = 120_000) {}

  private renewal: NodeJS.Timeout | undefined;

  /**
   * Takes the lock if it is free. While held it is renewed every third of its TTL, so a slow tick (a
   * reader paging through a timeline) keeps it, while a crashed holder's lock still lapses within a TTL.
   */
  async acquire(): Promise<boolean> {
    const won = (await this.redis.set(this.keys.lock(this.name), this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
    if (won) this.held();
    return won;
  }

  /** The lock was taken with this token (here or by a script): it is renewed while held. */
  held(): void {
    if (this.renewal) return;
    this.renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, this.keys.lock(this.name), this.token, this.ttlMs).catch(() => {});
    }, Math.max(1000, Math.floor(this.ttlMs / 3)));
    this.renewal.unref();
  }

  /** A script is releasing it (the end of a tick): no more renewals. */
  stopRenewal(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }

  async release(): Promise<void> {
    this.stopRenewal();
    await this.redis.eval(RELEASE, 1, this.keys.lock(this.name), this.token);
  }
}
