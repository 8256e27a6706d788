/**
 * Every Redis key name tfctl uses, in one place. A farm is one Redis database under one prefix.
 *
 * Every key carries a hash tag, so that each lands in a known Redis Cluster slot and no script or MULTI
 * touches two slots:
 * - per-bot keys carry the bot's name (`{name}`): all of one bot's keys are in its slot;
 * - farm-wide keys (the bots set, the due index and its lock, the events and the webhook's state, the
 *   app's bearer token) share the tag `{farm-wide}`: one slot, so a step over several of them is one
 *   script or MULTI. The hyphen keeps it apart from every bot: no bot name has one (`{farm}` would be
 *   the tag of a bot named farm, and a kind's own key could take a farm key's name).
 * No script reads a key it is not given: a script sees one bot's keys or the farm-wide ones, never both.
 *
 * Farms made before the farm-wide tag name those keys `<prefix>:bots`, `<prefix>:app:bearer` and
 * `<prefix>:{farm-events}:*` (legacy()); src/store/migrate.ts renames them once, and import maps them.
 */
export class Keys {
  constructor(readonly prefix: string) {}

  /** The start of every farm-wide key: one hash tag, one cluster slot. */
  farmWide(): string { return `${this.prefix}:{farm-wide}:`; }
  /** Set of all bot names. */
  bots(): string { return `${this.farmWide()}bots`; }
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
   * through this (declared in their folder's index.ts) so destroy and listings can find them.
   */
  own(name: string, suffix: string): string { return `${this.prefix}:{${name}}:${suffix}`; }
  /** Pub/sub channel: a bot's name is published here when its rules change (collectors re-read them). */
  rulesChannel(): string { return `${this.prefix}:rules`; }
  /** String: the app's bearer token (OAuth 2.0 client credentials), cached for `tfctl stream`. */
  appBearer(): string { return `${this.farmWide()}app:bearer`; }
  /**
   * The farm's events (src/events): a capped stream, the state behind its transitions (a hash: which bots
   * are failing or over their backlog), the webhook's retry state and its delivery lock.
   */
  events(): string { return `${this.farmWide()}stream`; }
  eventState(): string { return `${this.farmWide()}state`; }
  webhook(): string { return `${this.farmWide()}webhook`; }
  webhookLock(): string { return `${this.farmWide()}webhook_lock`; }
  /**
   * Sorted set: each bot's next due time (score, epoch ms), so a tick reads only the due bots (see
   * src/store/due.ts). Like the events it is derived, not farm state: export leaves it out and it is
   * rebuilt from the bots' hashes.
   */
  due(): string { return `${this.farmWide()}due`; }
  /** String: held (SET NX PX) while one run rebuilds the due index. */
  dueLock(): string { return `${this.farmWide()}due_lock`; }
  /** String: the tick lock of one bot (SET NX PX). */
  lock(name: string): string { return `${this.prefix}:lock:{${name}}`; }

  /** Every key a bot owns (for destroy and export), with its kind's own suffixes. The lock is transient and left out. */
  botKeys(name: string, kindSuffixes: readonly string[] = []): string[] {
    return [this.bot(name), this.timeline(name), this.posted(name), this.posts(name), this.intents(name), this.hourly(name), ...kindSuffixes.map((s) => this.own(name, s))];
  }

  /** Farm-wide keys that are derived or a notification log, not farm state: export leaves them out. */
  derived(): string[] {
    return [this.events(), this.eventState(), this.webhook(), this.webhookLock(), this.due(), this.dueLock()];
  }

  /**
   * The farm-wide keys' names before they shared one hash tag, each with its name now (old first). The
   * events' and the due index's keys had the tag `{farm-events}`; the bots set and the bearer none.
   */
  legacy(): Array<[old: string, now: string]> {
    const old = `${this.prefix}:{farm-events}:`;
    return [
      [`${this.prefix}:bots`, this.bots()],
      [`${this.prefix}:app:bearer`, this.appBearer()],
      [`${old}stream`, this.events()],
      [`${old}state`, this.eventState()],
      [`${old}webhook`, this.webhook()],
      [`${old}webhook_lock`, this.webhookLock()],
      [`${old}due`, this.due()],
      [`${old}due_lock`, this.dueLock()],
    ];
  }

  /**
   * Where `tfctl import` stages an archive's keys before renaming them into the farm: outside the
   * farm's own pattern (export, tick and list never see them), each key keeping its `{name}` tag.
   */
  staging(run: string): string { return `tfctl-import:${run}:${this.prefix}`; }

  /** The SCAN pattern that matches every key of this farm. */
  scanPattern(): string { return `${this.prefix}:*`; }
}
