import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { F } from '../store/bot-record.js';
import { botName } from './bot.js';
import { formatDuration, parseBool, parseCount, parseDuration } from './values.js';

/**
 * A kind's settings as one schema: each setting's name (the flag, the `key=value` key), its hash field,
 * its type (parse, store, show), default, and help. `create`, `set`, `kinds`, `show --json` and import
 * checks all read it, so a setting is declared once.
 */

/** How a setting's value is read from the command line, kept in the hash and shown. */
export interface ValueType<T> {
  /** For `tfctl kinds`: duration, integer, boolean, text, bot, template… */
  type: string;
  parse(raw: string, what: string): T | Promise<T>;
  encode(value: T): string;
  decode(field: string): T;
  /** As JSON and help show it (a duration as "1h"); the value itself when absent. */
  show?(value: T): unknown;
}

export interface Setting<T = unknown> {
  /** The flag (`--per-tick`) and the key of `set name per-tick=2`. */
  key: string;
  /** Other names accepted for it (a writer's `--reader` for its source). */
  aliases?: readonly string[];
  /** The bot's property (and JSON key) it is read into. */
  prop: string;
  /** Its hash field. */
  field: string;
  value: ValueType<T>;
  default?: T;
  /** Create refuses to go without it. */
  required?: boolean;
  /** Never shown: `show` says set or missing. An empty value in `set` clears it. */
  secret?: boolean;
  /** Set only with `set`, not offered by `create` (paused). */
  setOnly?: boolean;
  /** What the flag's argument looks like in help: `<n>`, `<duration>`. */
  arg: string;
  help: string;
}

/** Declares a setting with its types checked against each other. */
export const setting = <T>(s: Setting<T>): Setting => s as Setting;

// --- value types ------------------------------------------------------------------------------------

export const duration: ValueType<number> = {
  type: 'duration',
  parse: (raw, what) => parseDuration(raw, what),
  encode: String,
  decode: Number,
  show: formatDuration,
};

/** A directory, made absolute when set: cron runs tfctl from another directory. */
export const directory: ValueType<string> = {
  type: 'directory',
  parse(raw, what) {
    if (raw.trim() === '') throw new UsageError(`${what} must not be empty`);
    return resolve(raw);
  },
  encode: (v) => v,
  decode: (f) => f,
};

export const boolean: ValueType<boolean> = {
  type: 'boolean',
  parse: (raw, what) => parseBool(raw, what),
  encode: (v) => (v ? '1' : '0'),
  decode: (f) => f === '1',
};

export function count(min: number, max: number): ValueType<number> {
  return { type: `integer ${min}-${max}`, parse: (raw, what) => parseCount(raw, what, min, max), encode: String, decode: Number };
}

export const text: ValueType<string> = {
  type: 'text',
  parse(raw, what) {
    if (raw.trim() === '') throw new UsageError(`${what} must not be empty`);
    return raw;
  },
  encode: (v) => v,
  decode: (f) => f,
};

export const botRef: ValueType<string> = { type: 'bot', parse: (raw) => botName(raw), encode: (v) => v, decode: (f) => f };

// --- what every kind has ----------------------------------------------------------------------------

/** The settings of every bot, whatever its kind; they live in typed fields of Bot, not in bot.settings. */
export const COMMON: readonly Setting[] = [
  setting({ key: 'every', prop: 'every', field: F.every, value: duration, default: 3600, arg: '<duration>', help: 'how often it is due, e.g. 90s, 30m, 2h' }),
  setting({ key: 'paused', prop: 'paused', field: F.paused, value: boolean, default: false, setOnly: true, arg: '<bool>', help: 'skipped by ticks while true' }),
  setting({ key: 'token', prop: 'token', field: F.token, value: text, secret: true, arg: '<token>', help: "the account's OAuth 1.0a access token (tfctl auth sets it)" }),
  setting({ key: 'secret', prop: 'secret', field: F.secret, value: text, secret: true, arg: '<secret>', help: "the account's OAuth 1.0a access token secret" }),
];

/** A consumer's source: the bot whose stream it reads through its own consumer group. */
export function sourceSetting(opts: { aliases?: readonly string[]; help?: string } = {}): Setting {
  return setting({
    key: 'source',
    aliases: opts.aliases ?? [],
    prop: 'source',
    field: F.source,
    value: botRef,
    required: true,
    arg: '<name>',
    help: opts.help ?? 'the source bot whose stream it reads',
  });
}

/** `per-tick`, `perTick` and `per_tick` all name the same setting. */
export function normalKey(key: string): string {
  return key.trim().replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
}

export function names(s: Setting): string[] {
  return [s.key, ...(s.aliases ?? [])];
}
