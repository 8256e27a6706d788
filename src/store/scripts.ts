import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * Lua scripts live as .lua files beside this module (copied into dist/ by the build; the path is written
 * from the parent folder so it also holds inside the bundle in dist/bundle/).
 */
const sources = new Map<string, string>();
function lua(name: string): string {
  let text = sources.get(name);
  if (text === undefined) sources.set(name, (text = readFileSync(new URL(`../store/scripts/${name}.lua`, import.meta.url), 'utf8')));
  return text;
}

const loaded = new WeakMap<Redis, Set<string>>();

/**
 * A script run many times on one connection (a tick's writers, a long `tfctl run`): registered the first
 * time it is needed, after which ioredis runs it by EVALSHA.
 */
export function script(redis: Redis, name: string): (keys: string[], args: (string | number)[]) => Promise<unknown> {
  let names = loaded.get(redis);
  if (!names) loaded.set(redis, (names = new Set()));
  const command = `tf_${name.replace(/-/g, '_')}`;
  if (!names.has(name)) {
    redis.defineCommand(command, { lua: lua(name) });
    names.add(name);
  }
  const fn = (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[command]!.bind(redis);
  return (keys, args) => fn(keys.length, ...keys, ...args);
}

/**
 * A script a command runs once (list-bots behind list and stats, read-bots at a tick's start). ioredis
 * would send its text on a fresh connection anyway, so plain EVAL costs nothing on the wire, and it
 * spares a one-shot `tfctl list` the SHA-1 that EVALSHA needs, which means loading node's crypto module
 * (some 3 ms).
 */
export function evalOnce(redis: Redis, name: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  return redis.eval(lua(name), keys.length, ...keys, ...args);
}
