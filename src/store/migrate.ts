import type { RedisClient } from './client.js';
import type { Keys } from './keys.js';
import { lua } from './scripts.js';

/**
 * The one-time move of a farm's farm-wide keys to the names they have had since they share the hash tag
 * `{farm-wide}` (Keys.legacy): a farm made before keeps working after an upgrade, with nothing to run by
 * hand. It costs no round trip of its own where it is cheap to look:
 * - a tick: every farm with the old names lacks the due index under its new name, so the tick finds the
 *   index "not built" and asks here beside taking the rebuild's lock (DueIndex.rebuild);
 * - listings and every read of the bots set (list, stats, show, destroy's checks, a rebuild): the
 *   question (legacyCheck) goes out in the same write as SMEMBERS;
 * - create, set, destroy, import and export ask beside their first command.
 * On a cluster it never runs: no farm there can have the old names (they were never legal on one).
 *
 * The question is an EXISTS per old name, sent together (one key each, so it is legal wherever a farm
 * runs: the farm's tests run it on a one-node cluster too); the move is one script (scripts/migrate.lua),
 * atomic and idempotent, so two commands that both find old names are safe.
 */

/** The commands that tell whether a farm still has old names (any reply above 0), or null on a cluster. */
export function legacyCheck(keys: Keys, onCluster = false): string[][] | null {
  return onCluster ? null : keys.legacy().map(([old]) => ['EXISTS', old]);
}

/** Whether legacyCheck's replies found an old name. */
export const foundLegacy = (replies: unknown[]): boolean => replies.some((n) => Number(n) > 0);

/** The move itself, as a command for any connection (the one-shot listing sends it raw): EVAL of migrate.lua. */
export function migrateCommand(keys: Keys): Array<string | number> {
  const pairs = keys.legacy().flat();
  return ['EVAL', lua('migrate'), pairs.length, ...pairs];
}

/** Moves old names when there are any; true when something was moved. */
export async function migrateIfLegacy(redis: RedisClient, keys: Keys): Promise<boolean> {
  const check = legacyCheck(keys, redis.isCluster);
  if (!check) return false;
  if (!foundLegacy(await Promise.all(check.map(([command, ...args]) => redis.call(command!, ...args))))) return false;
  return migrate(redis, keys);
}

/** Moves old names (one Redis only); true when there were any. */
export async function migrate(redis: RedisClient, keys: Keys): Promise<boolean> {
  if (redis.isCluster) return false;
  const [command, ...args] = migrateCommand(keys);
  return Number(await redis.call(String(command), ...args)) > 0;
}
