import type { RedisClient } from './client.js';
import { UsageError } from '../errors.js';
import {
  botFromHash,
  commonToHash,
  F,
  PAUSE_PREFIX,
  RAW_CODEC,
  SUMMARY_FIELDS,
  summaryFromRow,
  type Bot,
  type BotSettings,
  type BotSummary,
  type KindCodec,
} from './bot-record.js';
import { DueIndex, dueScore } from './due.js';
import { Keys } from './keys.js';
import { hashOf, perBot, sendEach } from './per-bot.js';
import { foundLegacy, legacyCheck, migrate, migrateCommand, migrateIfLegacy } from './migrate.js';
import { lua, script } from './scripts.js';
import { asCluster } from './slots.js';

/** What a finished tick writes back to its bot (the part of a tick's outcome the store keeps; written by tick-steps.ts's end step). */
export interface TickEnd {
  at: number;
  nextDueAt: number;
  error?: string;
  failing?: boolean;
  /** Transient failures in a row, this one included; absent after any other outcome (the streak ends). */
  retries?: number;
  pause?: { endpoint: string; until: number };
  counters?: Record<string, number>;
  learned?: Record<string, string>;
}

/** A bot to create: its common settings, and its kind's own as hash fields (encoded by its schema). */
export interface NewBot extends Omit<BotSettings, 'settings'> {
  fields?: Record<string, string>;
}

/** A change of settings: common ones, a kind's own as hash fields, fields to clear, state to write. */
export interface BotChanges extends Partial<Omit<BotSettings, 'settings' | 'name' | 'role'>> {
  fields?: Record<string, string>;
  clear?: string[];
  state?: Record<string, string>;
}

/**
 * A connection as readOverview uses it: `send` writes commands together and resolves with their replies
 * in order (an error reply as an Error, not a rejection), so many commands cost one round trip; `load`
 * makes a script known to every node that may run it (SCRIPT LOAD) and resolves with its SHA-1.
 */
export interface Wire {
  send(commands: Array<Array<string | number>>): Promise<unknown[]>;
  load(text: string): Promise<string>;
  /**
   * Optional, the same as send of one EVALSHA per key list (same script, same ARGV), for a connection
   * that can write such a batch quicker than any commands (the one-shot socket, listing.ts).
   */
  evalshaMany?(sha: string, keyLists: string[][], args: string[]): Promise<unknown[]>;
}

/** The Wire of an ioredis connection, one Redis or a cluster (each command to its slot's node). */
export function ioWire(redis: RedisClient): Wire {
  return {
    send: (commands) => sendEach(redis, commands),
    load: async (text) => {
      const nodes = asCluster(redis)?.nodes('master') ?? [redis];
      const [sha] = await Promise.all(nodes.map((n) => n.script('LOAD', text) as Promise<string>));
      return sha!;
    },
  };
}

/** bot-summary.lua with what every call shares written in front (after its flags line), per codec. */
const summaryScripts = new WeakMap<KindCodec, { text: string; suffixes: string[] }>();
function summaryScript(codec: KindCodec): { text: string; suffixes: string[] } {
  let made = summaryScripts.get(codec);
  if (made) return made;
  const str = (v: string) => JSON.stringify(v); // a JSON string is a Lua string for these names
  const suffixes = [...new Set(Object.values(codec.backlogs).flatMap((b) => ('key' in b ? [b.key] : [])))].sort();
  const specs = Object.entries(codec.backlogs).map(([role, b]) => `[${str(role)}] = { of = ${str(b.of)}${'key' in b ? `, key = ${str(b.key)}` : ''} }`);
  const prelude = [
    `local FIELDS = { ${SUMMARY_FIELDS.map(str).join(', ')} }`,
    `local ROLE_AT = ${SUMMARY_FIELDS.indexOf(F.role) + 1}`,
    `local SPECS = { ${specs.join(', ')} }`,
    `local SOURCES = { ${codec.sources.map((r) => `[${str(r)}] = true`).join(', ')} }`,
    `local OWN = { ${suffixes.map((k, i) => `[${str(k)}] = ${i + 3}`).join(', ')} }`,
  ].join('\n');
  const [flags, ...body] = lua('bot-summary').split('\n');
  made = { text: [flags, prelude, ...body].join('\n'), suffixes };
  summaryScripts.set(codec, made);
  return made;
}

type SummaryReply = [row: Array<string | false>, backlog: number, groups: Record<string, number> | false, pauses: Record<string, number> | false];

/**
 * What list, stats and show print of every bot (or the named ones), sorted by name, for any connection
 * (FarmStore.overview through ioredis, listing.ts over a one-shot socket). Two round trips: the bots
 * set's members, with the summary script loaded in the same write; then one call of bot-summary.lua per
 * bot, all in one write. Each call reads its bot's keys only, so each is legal on a cluster; a consumer's
 * backlog comes from its source's call (its group on the source's stream). Named bots whose source is
 * not among them cost a third round trip, for their sources' groups.
 */
export async function readOverview(wire: Wire, keys: Keys, codec: KindCodec, names?: string[], opts: { pauses?: boolean; legacy?: string[][] | null } = {}): Promise<BotSummary[]> {
  const { text, suffixes } = summaryScript(codec);
  const first: Array<Array<string | number>> = names ? [] : [['SMEMBERS', keys.bots()]];
  if (!names && opts.legacy) first.push(...opts.legacy);
  const [replies, sha] = await Promise.all([wire.send(first), wire.load(text)]);
  let listed = names ?? (replies[0] as string[]);
  if (!names && opts.legacy && foundLegacy(replies.slice(1))) {
    // A farm from before the farm-wide tag: its keys are moved once, and the set read again.
    const [moved] = await wire.send([migrateCommand(keys)]);
    if (moved instanceof Error) throw moved;
    listed = (await wire.send([['SMEMBERS', keys.bots()]]))[0] as string[];
  }
  if (listed instanceof Error) throw listed;
  listed = [...listed].sort();
  const pause = opts.pauses ? PAUSE_PREFIX : '';
  const call = (name: string, how: 'EVALSHA' | 'EVAL' = 'EVALSHA', prefix = pause) => [
    how, how === 'EVALSHA' ? sha : text, 2 + suffixes.length, keys.bot(name), keys.timeline(name), ...suffixes.map((s) => keys.own(name, s)), prefix,
  ];
  const read = async (batch: string[], prefix = pause): Promise<Array<SummaryReply | null>> => {
    const out = wire.evalshaMany
      ? await wire.evalshaMany(sha, batch.map((n) => [keys.bot(n), keys.timeline(n), ...suffixes.map((s) => keys.own(n, s))]), [prefix])
      : await wire.send(batch.map((n) => call(n, 'EVALSHA', prefix)));
    // A script flushed between load and call (a failover to a node that missed it): those again, by text.
    const lost = out.flatMap((r, i) => (r instanceof Error && r.message.startsWith('NOSCRIPT') ? [i] : []));
    if (lost.length) (await wire.send(lost.map((i) => call(batch[i]!, 'EVAL', prefix)))).forEach((r, j) => (out[lost[j]!] = r));
    return out.map((r) => {
      if (r instanceof Error) throw r;
      return r === null || r === undefined ? null : (JSON.parse(r as string) as SummaryReply);
    });
  };
  const summaries = await read(listed);
  const groups = new Map<string, Record<string, number>>();
  summaries.forEach((s, i) => s && s[2] && groups.set(listed[i]!, s[2]));
  const sourceAt = SUMMARY_FIELDS.indexOf(F.source);
  const backlogOf = (s: SummaryReply) => codec.backlogs[s[0][0] || '']?.of === 'group';
  if (names) {
    // Named consumers whose sources are not named: their sources' groups, read the same way.
    const missing = [...new Set(summaries.flatMap((s) => (s && backlogOf(s) && s[0][sourceAt] && !groups.has(s[0][sourceAt] as string) ? [s[0][sourceAt] as string] : [])))];
    if (missing.length) (await read(missing, '')).forEach((s, i) => s && s[2] && groups.set(missing[i]!, s[2]));
  }
  const bots: BotSummary[] = [];
  summaries.forEach((s, i) => {
    if (!s) return;
    const [row, own, , pauses] = s;
    const backlog = backlogOf(s) ? (groups.get(row[sourceAt] as string)?.[listed[i]!] ?? 0) : own;
    bots.push(summaryFromRow(listed[i]!, row, backlog, pauses || undefined));
  });
  return bots;
}

/** Why a source cannot be destroyed: the consumers that still read from it. */
export function sourceInUse(role: string, source: string, consumers: string[]): UsageError {
  return new UsageError(`${role} "${source}" is used by ${consumers.join(',')}: destroy them or move them to another source first`);
}

/**
 * Typed access to the farm's registry in Redis. Every state change that touches more than one key
 * is a Lua script, so a failed command leaves nothing half-done.
 */
export class FarmStore {
  readonly keys: Keys;
  /** Which bots are due (src/store/due.ts): kept here by every change of a bot's due time. */
  readonly dueIndex: DueIndex;

  /** `codec` is what the store knows of the kinds (the registry's, from src/bots/index.ts). */
  constructor(readonly redis: RedisClient, prefix: string, readonly codec: KindCodec = RAW_CODEC) {
    this.keys = new Keys(prefix);
    this.dueIndex = new DueIndex(redis, this.keys);
  }

  /**
   * Creates a bot. Its keys and the farm-wide ones are in different cluster slots, so this is three steps,
   * ordered so that one cut short leaves nothing a reader sees: the name goes into the bots set and the
   * due index first (due now; readers skip a name without a hash, and a tick drops it from the index);
   * a consumer's group on its source's stream next; the bot's hash last, which makes the bot. Run again,
   * a create cut short finishes (the group found there is kept). The name's and the source's checks are
   * read first, so a refused create writes nothing; the scripts check them again atomically.
   */
  async create(bot: NewBot, now = Date.now()): Promise<void> {
    const { fields: own, ...common } = bot;
    const fields = {
      ...commonToHash(common),
      ...own,
      [F.createdAt]: String(now),
      [F.nextDueAt]: String(now),
    };
    const source = bot.source ?? '';
    const [exists, sourceRole] = await Promise.all([
      this.redis.exists(this.keys.bot(bot.name)),
      source ? this.redis.hget(this.keys.bot(source), F.role) : null,
      this.migrated(),
    ]);
    try {
      if (exists) throw new Error('EXISTS');
      if (source && !sourceRole) throw new Error('NO_SOURCE');
      if (source && !this.codec.sources.includes(sourceRole!)) throw new Error(`NOT_SOURCE ${sourceRole}`);
      const registered = script(this.redis, 'register-bot')([this.keys.bots(), this.keys.due()], [bot.name, bot.paused ? '' : now]);
      const [, joined] = await Promise.all([registered, source ? this.joinSource(bot.name, source) : null]);
      try {
        await script(this.redis, 'create-bot')([this.keys.bot(bot.name)], Object.entries(fields).flat());
      } catch (err) {
        // Another create of this name won meanwhile: the group this one made is not the winner's.
        if (joined === 'OK') await this.redis.xgroup('DESTROY', this.keys.timeline(source), bot.name).catch(() => {});
        throw err;
      }
    } catch (err) {
      throw this.translate(err, bot.name, source);
    }
  }

  /** A consumer's group on its source's stream, in the source's slot: 'OK' made, 'HAD' there already. */
  private async joinSource(name: string, source: string): Promise<string> {
    return (await script(this.redis, 'join-source')([this.keys.bot(source), this.keys.timeline(source)], [name, this.codec.sources.join(',')])) as string;
  }

  private migration: Promise<void> | undefined;
  /**
   * Moves a farm's keys from their names before the farm-wide tag, once per store (src/store/migrate.ts).
   * Callers issue it beside their first command, so on one Redis the question shares its write.
   */
  migrated(): Promise<void> {
    return (this.migration ??= migrateIfLegacy(this.redis, this.keys).then(() => undefined));
  }

  /**
   * The bots set's members. On one Redis, whether old key names remain is asked in the same write; when
   * they do, they are moved and the set read again (once in a farm's life).
   */
  async members(): Promise<string[]> {
    const check = this.migration ? null : legacyCheck(this.keys, this.redis.isCluster);
    if (!check) return this.redis.smembers(this.keys.bots());
    const [names, ...old] = await Promise.all([this.redis.smembers(this.keys.bots()), ...check.map(([c, ...a]) => this.redis.call(c!, ...a))]);
    if (!foundLegacy(old)) {
      this.migration = Promise.resolve();
      return names;
    }
    this.migration = migrate(this.redis, this.keys).then(() => undefined);
    await this.migration;
    return this.redis.smembers(this.keys.bots());
  }

  async get(name: string): Promise<Bot | null> {
    const h = await this.redis.hgetall(this.keys.bot(name));
    return h[F.role] ? botFromHash(name, h, this.codec) : null;
  }

  /** Like get, but an unknown bot is a usage error. */
  async require(name: string): Promise<Bot> {
    const bot = await this.get(name);
    if (!bot) throw new UsageError(`unknown bot "${name}" (see tfctl list)`);
    return bot;
  }

  async names(): Promise<string[]> {
    return (await this.members()).sort();
  }

  /**
   * Every bot's account as far as the farm knows it (user id learned, and its token, which begins with
   * the user id): what a tick needs of the bots that are not due. The `known` bots (the tick's, read
   * already) are taken as they are; the others are read, one pipelined read per bot, not a script
   * across bots, so it holds on a cluster.
   */
  async accounts(known: ReadonlyArray<Pick<Bot, 'name' | 'userId' | 'token'>> = []): Promise<Array<{ userId?: string; token?: string }>> {
    const have = new Set(known.map((b) => b.name));
    const names = (await this.members()).filter((n) => !have.has(n));
    const rows = (await perBot(this.redis, names.map((n) => ['HMGET', this.keys.bot(n), F.userId, F.token]))) as Array<[string | null, string | null]>;
    const out = rows.map(([userId, token]) => ({ ...(userId ? { userId } : {}), ...(token ? { token } : {}) }));
    for (const b of known) out.push({ ...(b.userId ? { userId: b.userId } : {}), ...(b.token ? { token: b.token } : {}) });
    return out;
  }

  /**
   * All bots (or the named ones), whole and sorted by name: one HGETALL per bot, pipelined (the names
   * first when not given). Never one script over every bot: that blocks Redis for the whole farm and is
   * not legal on a cluster, where each bot's hash lives in its own slot.
   */
  async all(names?: string[]): Promise<Bot[]> {
    const listed = [...(names ?? (await this.members()))].sort();
    const hashes = await perBot(this.redis, listed.map((n) => ['HGETALL', this.keys.bot(n)]));
    const bots: Bot[] = [];
    listed.forEach((name, i) => {
      const h = hashOf(hashes[i]);
      if (h[F.role]) bots.push(botFromHash(name, h, this.codec));
    });
    return bots;
  }

  /**
   * What list and stats print of every bot (or the named ones), sorted by name, in two round trips
   * (readOverview): the summary fields and the work behind each bot, counted the way its kind declares
   * (a source's stream length, a consumer's unprocessed entries…). No token, secret or kind setting is
   * even fetched. Rate-limit pauses cost a second look at each hash: only when asked.
   */
  async overview(names?: string[], opts: { pauses?: boolean } = {}): Promise<BotSummary[]> {
    const legacy = this.migration ? null : legacyCheck(this.keys, this.redis.isCluster);
    const bots = await readOverview(ioWire(this.redis), this.keys, this.codec, names, { ...opts, legacy });
    if (legacy && !names) this.migration = Promise.resolve();
    return bots;
  }

  /** One bot, whole, with its backlog (what show prints), or null when there is no such bot. */
  async detail(name: string): Promise<{ bot: Bot; backlog: number } | null> {
    // Both reads leave in one write (auto-pipelining) and come back in one round trip.
    const [[bot], [summary]] = await Promise.all([this.all([name]), this.overview([name])]);
    return bot ? { bot, backlog: summary?.backlog ?? 0 } : null;
  }

  /**
   * Changes settings; a new `source` moves a consumer's group to that source's stream. Three slots, three
   * steps: the group on the new source first (checking it is a source), the bot's hash, the group on the
   * old source last. Cut short, the consumer has a spare group it does not read from, which the next
   * change of source or destroy of either source removes.
   */
  async update(bot: Bot, changes: BotChanges): Promise<void> {
    const { fields: own, clear, state, ...common } = changes;
    const fields: Record<string, string> = { ...commonToHash(common), ...own, ...state };
    for (const f of clear ?? []) fields[f] = '';
    const newSource = changes.source && changes.source !== bot.source ? changes.source : '';
    try {
      await Promise.all([newSource ? this.joinSource(bot.name, newSource) : null, this.migrated()]);
      await script(this.redis, 'update-bot')([this.keys.bot(bot.name)], [bot.role, ...Object.entries(fields).flat()]);
    } catch (err) {
      throw this.translate(err, bot.name, newSource);
    }
    const left = newSource && bot.source ? this.redis.xgroup('DESTROY', this.keys.timeline(bot.source), bot.name).catch(() => 0) : null;
    await Promise.all([left, this.reindex([bot.name])]);
  }

  /** Puts the named bots in the due index where their hashes say (out of it when gone, paused or failing). */
  async reindex(names: string[]): Promise<void> {
    const bots = new Map((await this.all(names)).map((b) => [b.name, b]));
    await this.dueIndex.set(names.map((n) => [n, bots.has(n) ? dueScore(bots.get(n)!) : null]));
  }

  /**
   * Removes a bot and its keys (`kindSuffixes`: its kind's own, see Keys.own). A source still used by
   * consumers is refused. The bot's keys go first (its slot; a bot without its hash is no bot to any
   * reader), then a consumer's group on its source's stream, then the name from the bots set and the due
   * index (the farm-wide slot). Cut short, the name is left without a hash, which readers skip and a
   * create of the same name takes over; destroy of that name clears it.
   */
  async destroy(name: string, kindSuffixes: readonly string[] = []): Promise<void> {
    const keys = this.keys.botKeys(name, kindSuffixes);
    let source: string;
    try {
      const [role] = await Promise.all([this.redis.hget(this.keys.bot(name), F.role), this.migrated()]);
      // A source: who reads from it (by their hashes), and which groups its stream has now.
      const groups = role && this.codec.sources.includes(role) ? await this.consumersOf(name, role) : [];
      source = (await script(this.redis, 'destroy-bot')(keys, [this.codec.sources.join(','), ...groups])) as string;
    } catch (err) {
      if (err instanceof Error && /NOT_FOUND/.test(err.message)) await this.forget(name);
      throw this.translate(err, name, '');
    }
    if (source) await this.redis.xgroup('DESTROY', this.keys.timeline(source), name).catch(() => 0);
    await this.forget(name);
  }

  /** Takes a name out of the bots set and the due index, in one MULTI in the farm-wide slot. */
  private async forget(name: string): Promise<void> {
    await this.redis.multi().srem(this.keys.bots(), name).zrem(this.keys.due(), name).exec();
  }

  /**
   * The groups on a source's stream, when no bot reads from it (a group whose bot is gone, or reads
   * elsewhere, is left from a step cut short and goes with the stream); IN_USE with the readers' names
   * otherwise. One pipeline over the farm's bots, not a script: each bot's hash is in its own slot.
   */
  private async consumersOf(name: string, role: string): Promise<string[]> {
    const [names, groups] = await Promise.all([
      this.members(),
      this.redis.xinfo('GROUPS', this.keys.timeline(name)).catch(() => []) as Promise<unknown[]>,
    ]);
    const others = names.filter((n) => n !== name);
    const sources = (await perBot(this.redis, others.map((n) => ['HGET', this.keys.bot(n), F.source]))) as Array<string | null>;
    const users = others.filter((_, i) => sources[i] === name).sort();
    if (users.length) throw new Error(`IN_USE ${role} ${users.join(',')}`);
    return (groups as unknown[][]).map((g) => String(g[g.indexOf('name') + 1]));
  }

  /** Maps the scripts' error replies to messages an operator can act on. */
  private translate(err: unknown, name: string, source: string): Error {
    // Scripts' error replies reach us as "ERR <CODE> …" (Redis adds the ERR).
    const msg = (err instanceof Error ? err.message : String(err)).replace(/^ERR /, '');
    const sources = this.codec.sources.length ? this.codec.sources : ['source'];
    if (msg.startsWith('EXISTS')) return new UsageError(`bot "${name}" exists already`);
    if (msg.startsWith('NOT_FOUND')) return new UsageError(`unknown bot "${name}" (see tfctl list)`);
    if (msg.startsWith('NO_SOURCE')) return new UsageError(`unknown ${sources.join(' or ')} "${source}": create it first with tfctl create ${source} ${sources[0]}`);
    if (msg.startsWith('NOT_SOURCE')) return new UsageError(`"${source}" is a ${msg.split(' ')[1]}, not a ${sources.join(' or ')}`);
    if (msg.startsWith('IN_USE')) return sourceInUse(msg.split(' ')[1]!, name, msg.split(' ')[2]!.split(','));
    if (msg.startsWith('CHANGED')) return new UsageError(`bot "${name}" changed while updating; try again`);
    return err instanceof Error ? err : new Error(msg);
  }
}
