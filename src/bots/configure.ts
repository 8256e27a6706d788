import { UsageError } from '../errors.js';
import { F, type Bot } from '../store/bot-record.js';
import type { BotChanges, NewBot } from '../store/farm-store.js';
import { defaultOf, KINDS, schemaOf } from './index.js';
import { names, normalKey, type Setting } from './settings.js';
import type { BotKind } from './types.js';

/** Properties of Bot itself (the common settings and a consumer's source); the rest live in bot.settings. */
export const TYPED = new Set(['every', 'paused', 'token', 'secret', 'source']);

/** The setting of this kind called `key` (or one of its aliases). */
function find(schema: readonly Setting[], key: string): Setting | undefined {
  return schema.find((s) => names(s).includes(key));
}

/** The kinds that have a setting called `key`, as "writers" or "writers and retweeters". */
function ownersOf(key: string): string | undefined {
  const owners = KINDS.filter((k) => find(k.settings, key)).map((k) => k.plural);
  return owners.length ? owners.join(' and ') : undefined;
}

const orList = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : items[0] ?? '');

/**
 * A new bot of `kind` from option values (commander's camelCase or the settings' own keys; values as
 * typed). Every value is checked before anything is written; settings of other kinds are refused.
 */
export async function newBot(kind: BotKind, name: string, input: Record<string, unknown>): Promise<NewBot> {
  const schema = schemaOf(kind);
  const given = new Map<Setting, string>();
  for (const [rawKey, value] of Object.entries(input)) {
    if (typeof value !== 'string') continue; // flags of the command itself (--json)
    const key = normalKey(rawKey);
    const s = find(schema, key);
    if (s && !s.setOnly) {
      given.set(s, value);
      continue;
    }
    const owners = ownersOf(key);
    if (owners) throw new UsageError(`--${key} is for ${owners} only`);
  }
  const token = find(schema, 'token')!;
  const secret = find(schema, 'secret')!;
  if (given.has(token) !== given.has(secret)) throw new UsageError('--token and --secret go together');

  const bot: NewBot = { name, role: kind.name, every: 0, paused: false, fields: {} };
  const props: Record<string, unknown> = {};
  for (const s of schema) {
    if (s.setOnly) continue;
    const raw = given.get(s);
    if (raw !== undefined && s.secret) nonBlank(s, raw);
    if (raw === undefined && s.required) throw new UsageError(`a ${kind.name} needs ${names(s).map((n) => `--${n}`).join(' or ')} ${s.arg}`);
    const value = raw !== undefined ? await s.value.parse(raw, s.key) : defaultOf(kind, s);
    if (raw !== undefined) props[s.prop] = value;
    if (value === undefined) continue;
    if (TYPED.has(s.prop)) (bot as unknown as Record<string, unknown>)[s.prop] = value;
    else bot.fields![s.field] = s.value.encode(value);
  }
  if (bot.source === name) throw new UsageError(`a ${kind.name} cannot be its own source`);
  kind.check?.(props, name);
  return bot;
}

/**
 * A token or secret that is empty or only spaces would be stored and fail at X on the next tick, far from
 * the typo (an unset shell variable in `token=$TOKEN`): refused here instead.
 */
function nonBlank(s: Setting, raw: string): void {
  if (raw.trim() === '') throw new UsageError(`${s.key} must not be ${raw === '' ? 'empty' : 'blank'}: give its value, or run tfctl auth`);
}

/** Changes from `key=value` assignments to one bot; all are checked before any is written. */
export async function changesFor(kind: BotKind, bot: Bot, assignments: string[]): Promise<BotChanges> {
  if (assignments.length === 0) throw new UsageError('nothing to set: give key=value pairs, e.g. every=30m');
  const schema = schemaOf(kind);
  const changes: BotChanges = { fields: {} };
  // The bot's settings as they will be, for the kind's checks across settings.
  const props: Record<string, unknown> = { ...bot.settings };
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected key=value, got "${a}"`);
    const key = normalKey(a.slice(0, eq));
    const raw = a.slice(eq + 1);
    const s = find(schema, key);
    if (!s) {
      const owners = ownersOf(key);
      if (owners) throw new UsageError(`"${key}" is for ${owners}; ${bot.name} is a ${bot.role}`);
      throw new UsageError(`unknown setting "${key}": use ${orList(schema.map((x) => x.key))}`);
    }
    if (s.secret) nonBlank(s, raw);
    const value = await s.value.parse(raw, s.key);
    props[s.prop] = value;
    if (TYPED.has(s.prop)) (changes as Record<string, unknown>)[s.prop] = value;
    else changes.fields![s.field] = s.value.encode(value);
  }
  if (changes.source === bot.name) throw new UsageError(`a ${kind.name} cannot be its own source`);
  kind.check?.(props, bot.name);
  // New tokens end a failure that revoked ones caused, as `tfctl auth` does: the next tick tries them.
  if (changes.token !== undefined && changes.secret !== undefined) (changes.clear ??= []).push(F.failing, F.lastError);
  return changes;
}

/**
 * A kind's settings as JSON shows them (show, create --json, set --json): by key in snake_case
 * (`per_tick`), null when unset, durations as written ("1h") with their seconds beside (`keep_s`).
 * The one place a bot's settings become output.
 */
export function settingsView(kind: BotKind | undefined, bot: Bot): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of kind?.settings ?? []) {
    if (s.prop === 'source') continue;
    const key = s.key.replace(/-/g, '_');
    const v = bot.settings[s.prop];
    out[key] = v === undefined ? null : s.value.show ? s.value.show(v as never) : v;
    if (s.value.type === 'duration') out[`${key}_s`] = v ?? null;
  }
  return out;
}
