/**
 * Every Redis key name tfctl uses, in one place. A farm is one Redis database under one prefix.
 *
 * Per-bot keys carry the bot's name as a hash tag (`{name}`), so that all of one bot's keys land in
 * one Redis Cluster slot and a bot's multi-key scripts stay legal on a cluster.
 *
 * Two scripts must reach other bots' keys from inside Redis and rebuild `bot()` and `timeline()` from
 * the prefix: scripts/destroy-bot.lua and scripts/list-bots.lua (which also rebuilds `own()` for a kind's
 * backlog key). Change those formats together.
 */
export class Keys {
  constructor(readonly prefix: string) {}

  /** Set of all bot names. */
  bots(): string { return `${this.prefix}:bots`; }
  /** Hash: a bot's settings, state and counters. */
  bot(name: string): string { return `${this.prefix}:bot:{${name}}`; }
  /** Stream: a source's tweets (a reader's timeline cache); each consumer is a consumer group on it. */
  timeline(reader: string): string { return `${this.prefix}:{${reader}}:timeline`; }
  /** Set: hashes of every text a writer has posted (the never-twice guarantee). */
  posted(writer: string): string { return `${this.prefix}:{${writer}}:posted`; }
  /** List: a writer's recent posts as JSON, newest first, capped. */
  posts(writer: string): string { return `${this.prefix}:{${writer}}:posts`; }
  /** Hash: posts composed and about to be sent; written before the POST, cleared after bookkeeping. */
  intents(writer: string): string { return `${this.prefix}:{${writer}}:intents`; }
  /** Hash: posts per UTC hour (field = epoch hour), for stats and the dashboard. */
  hourly(bot: string): string { return `${this.prefix}:{${bot}}:hourly`; }
  /**
   * One of a kind's own keys, named by suffix: `{name}:<suffix>`, in the bot's slot. Kinds name theirs
   * through this (declared in their folder's index.ts) so destroy and listings can find them;
   * list-bots.lua rebuilds this format for a kind's backlog key.
   */
  own(name: string, suffix: string): string { return `${this.prefix}:{${name}}:${suffix}`; }
  /** Pub/sub channel: a bot's name is published here when its rules change (collectors re-read them). */
  rulesChannel(): string { return `${this.prefix}:rules`; }
  /** String: the app's bearer token (OAuth 2.0 client credentials), cached for `tfctl stream`. */
  appBearer(): string { return `${this.prefix}:app:bearer`; }
  /**
   * The farm's events (src/events): a capped stream, the state behind its transitions (a hash: which bots
   * are failing or over their backlog), the webhook's retry state and its delivery lock. One hash tag, so
   * a script touching two stays in one cluster slot; no bot name has a hyphen, so the tag is no bot's.
   */
  events(): string { return `${this.prefix}:{farm-events}:stream`; }
  eventState(): string { return `${this.prefix}:{farm-events}:state`; }
  webhook(): string { return `${this.prefix}:{farm-events}:webhook`; }
  webhookLock(): string { return `${this.prefix}:{farm-events}:webhook_lock`; }
  /**
   * Sorted set: each bot's next due time (score, epoch ms), so a tick reads only the due bots (see
   * src/store/due.ts). In the events' slot, the farm's one hash tag: farm-wide keys share a slot. Like the
   * events it is derived, not farm state: export leaves it out and it is rebuilt from the bots' hashes.
   */
  due(): string { return `${this.prefix}:{farm-events}:due`; }
  /** String: held (SET NX PX) while one run rebuilds the due index. */
  dueLock(): string { return `${this.prefix}:{farm-events}:due_lock`; }
  /** String: the tick lock of one bot (SET NX PX). */
  lock(name: string): string { return `${this.prefix}:lock:{${name}}`; }

  /** Every key a bot owns (for destroy and export), with its kind's own suffixes. The lock is transient and left out. */
  botKeys(name: string, kindSuffixes: readonly string[] = []): string[] {
    return [this.bot(name), this.timeline(name), this.posted(name), this.posts(name), this.intents(name), this.hourly(name), ...kindSuffixes.map((s) => this.own(name, s))];
  }

  /** The events' keys: a notification log, not farm state (export leaves them out). */
  eventKeyPrefix(): string { return `${this.prefix}:{farm-events}:`; }

  /**
   * Where `tfctl import` stages an archive's keys before renaming them into the farm: outside the
   * farm's own pattern (export, tick and list never see them), each key keeping its `{name}` tag.
   */
  staging(run: string): string { return `tfctl-import:${run}:${this.prefix}`; }

  /** The SCAN pattern that matches every key of this farm. */
  scanPattern(): string { return `${this.prefix}:*`; }
}
