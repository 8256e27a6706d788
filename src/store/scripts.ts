import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * Lua scripts live as .lua files beside this module (the path is written from the parent folder so it
 * also holds inside the bundle in dist/bundle/) (copied into dist/ by the build) and are
 * registered on a connection the first time they are needed; ioredis then runs them by EVALSHA.
 */
const loaded = new WeakMap<Redis, Set<string>>();

export function script(redis: Redis, name: string): (keys: string[], args: (string | number)[]) => Promise<unknown> {
  let names = loaded.get(redis);
  if (!names) loaded.set(redis, (names = new Set()));
  const command = `tf_${name.replace(/-/g, '_')}`;
  if (!names.has(name)) {
    const lua = readFileSync(new URL(`../store/scripts/${name}.lua`, import.meta.url), 'utf8');
    redis.defineCommand(command, { lua });
    names.add(name);
  }
  const fn = (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[command]!.bind(redis);
  return (keys, args) => fn(keys.length, ...keys, ...args);
}
