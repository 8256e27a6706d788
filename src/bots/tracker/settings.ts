import { UsageError } from '../../errors.js';
import type { Bot } from '../../store/bot-record.js';
import { directory, duration, setting, type ValueType } from '../settings.js';

/** One tracked account as typed: an X user id (digits) or a username (`@name` or `name`). */
export type UserRef = { id: string } | { username: string };

/** One lookup of /2/users/by or /2/users takes at most 100. */
export const MAX_USERS = 100;

export function parseUsers(raw: string, what = 'users'): UserRef[] {
  const parts = raw.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new UsageError(`${what} must name at least one account, e.g. 285532415,@someone`);
  if (parts.length > MAX_USERS) throw new UsageError(`${what} names ${parts.length} accounts: at most ${MAX_USERS}`);
  const seen = new Set<string>();
  const out: UserRef[] = [];
  for (const p of parts) {
    let ref: UserRef;
    if (/^\d{1,19}$/.test(p)) ref = { id: p };
    else if (/^@?[A-Za-z0-9_]{1,15}$/.test(p)) ref = { username: p.replace(/^@/, '') };
    else throw new UsageError(`invalid account "${p}" in ${what}: use a user id (digits) or a username (@name, 1-15 letters, digits or _)`);
    const key = 'id' in ref ? ref.id : ref.username.toLowerCase();
    if (!seen.has(key)) out.push(ref);
    seen.add(key);
  }
  return out;
}

const showUser = (u: UserRef) => ('id' in u ? u.id : `@${u.username}`);

const users: ValueType<UserRef[]> = {
  type: 'accounts',
  parse: (raw, what) => parseUsers(raw, what),
  encode: (v) => v.map(showUser).join(','),
  decode: (f) => (f ? parseUsers(f) : []),
  show: (v) => v.map(showUser),
};

export const TRACKER_DEFAULTS = { every: 60, keep: 900, since: 86_400 } as const;

export const TRACKER_SETTINGS = [
  setting({ key: 'users', prop: 'users', field: 'users', value: users, required: true, arg: '<accounts>', help: 'whose tweets to track: user ids or @usernames, comma-separated' }),
  setting({ key: 'keep', prop: 'keep', field: 'keep_s', value: duration, default: TRACKER_DEFAULTS.keep, arg: '<duration>', help: 'how long minute snapshots are kept (top --window reaches this far back)' }),
  setting({ key: 'since', prop: 'since', field: 'since_s', value: duration, default: TRACKER_DEFAULTS.since, arg: '<duration>', help: 'tweets older than this are no longer tracked' }),
  setting({ key: 'out', prop: 'out', field: 'out', value: directory, arg: '<dir>', help: 'write DIR/counts-<epoch ms>.tsv each minute (tweet_id, retweets; most first)' }),
];

export interface TrackerSettings {
  users: UserRef[];
  keep: number;
  since: number;
  out?: string;
}

export function trackerSettings(bot: Bot): TrackerSettings {
  const s = bot.settings;
  return {
    users: Array.isArray(s.users) ? (s.users as UserRef[]) : [],
    keep: typeof s.keep === 'number' ? s.keep : TRACKER_DEFAULTS.keep,
    since: typeof s.since === 'number' ? s.since : TRACKER_DEFAULTS.since,
    out: typeof s.out === 'string' && s.out !== '' ? s.out : undefined,
  };
}
