import type { RedisClient } from '../store/client.js';
import { checkBotHash } from '../bots/check.js';
import { kindOf } from '../bots/index.js';
import { UsageError } from '../errors.js';
import { F } from '../store/bot-record.js';
import type { Keys } from '../store/keys.js';
import type { KeyRecord } from './format.js';

/**
 * Every bot record of an archive checked with the rules `create` and `set` apply, from the same
 * schema (each kind's settings): a known kind, every setting present when required and valid when
 * present (every_s -5, grab 0, a template with `{bogus}` are refused), and a consumer's source one of
 * the archive's bots or the farm's, and a source. An archive that fails is refused whole.
 */
export async function checkBotRecords(records: Map<string, KeyRecord>, names: string[], source: Keys): Promise<Map<string, string>> {
  const roles = new Map<string, string>();
  for (const name of names) {
    const rec = records.get(source.bot(name));
    if (!rec) throw new UsageError(`invalid archive: bot "${name}" is listed but has no record`);
    if (rec.type !== 'hash') throw new UsageError(`invalid archive: ${rec.key} must be a hash`);
    const h = rec.value;
    // The rules of create and set, from the kinds' settings schema (bots/check.ts).
    const problems = await checkBotHash(name, h);
    if (problems.length) throw new UsageError(`invalid archive: ${problems[0]}`);
    const role = h[F.role]!;
    const kind = kindOf(role)!;
    roles.set(name, role);
    if (h[F.source] === name) throw new UsageError(`invalid archive: ${kind.name} "${name}" is its own source`);
  }
  return roles;
}

/** A consumer's source must be a source bot: one of the archive's, or one the farm already has. */
export async function checkSources(records: Map<string, KeyRecord>, roles: Map<string, string>, source: Keys, redis: RedisClient, target: Keys): Promise<void> {
  for (const [name, role] of roles) {
    if (kindOf(role)!.family !== 'consumer') continue;
    const rec = records.get(source.bot(name));
    const src = rec?.type === 'hash' ? rec.value[F.source] : undefined;
    if (!src) continue;
    const srcRole = roles.get(src) ?? (await redis.hget(target.bot(src), F.role));
    if (!srcRole) throw new UsageError(`invalid archive: ${role} "${name}" reads from "${src}", which is neither in the archive nor in this farm`);
    if (kindOf(srcRole)?.family !== 'source') throw new UsageError(`invalid archive: ${role} "${name}" reads from "${src}", a ${srcRole}, not a source`);
  }
}
