import { readFileSync } from 'node:fs';
import type { RedisClient } from './client.js';

/**
 * Lua scripts live as .lua files beside this module (copied into dist/ by the build; the path is written
 * from the parent folder so it also holds inside the bundle in dist/bundle/).
 */
const sources = new Map<string, string>();
export function lua(name: string): string {
  let text = sources.get(name);
  if (text === undefined) sources.set(name, (text = readFileSync(new URL(`../store/scripts/${name}.lua`, import.meta.url), 'utf8')));
  return text;
}

const shas = new Map<string, string>();
/** Scripts this process has sent whole once: Redis keeps what it was sent, so EVALSHA finds them after. */
const sent = new Set<string>();

/**
 * A script run many times on one connection (a tick's writers, a long `tfctl run`): EVALSHA, and EVAL
 * when Redis does not know it yet (first use, after SCRIPT FLUSH or a restart). Both are plain commands,
 * so auto-pipelining may batch them with anything else; ioredis's defineCommand is not safe there (its
 * fallback threw outside any promise, "results[i] is not iterable", and ended the process). On a cluster,
 * a script a node did not run because its slot is elsewhere is sent again alone (see `alone`).
 */
export function script(redis: RedisClient, name: string): (keys: string[], args: (string | number)[]) => Promise<unknown> {
  const text = lua(name);
  const run = send(redis, name, text);
  if (!redis.isCluster) return run;
  return async (keys, args) => {
    try {
      return await run(keys, args);
    } catch (err) {
      if (!(err instanceof Error) || !REDIRECTED.test(err.message)) throw err;
      return alone(redis, text, keys, args);
    }
  };
}

/** A cluster node's answer when it ran nothing: the slot is elsewhere (a failover, a reshard) or not served yet. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

/**
 * A script a cluster node did not run, sent again in a pipeline of its own. ioredis follows a redirect
 * (and waits out a failover) for a pipeline whose commands all failed alike, but not for one that
 * auto-pipelining batched with commands that ran: that MOVED would be the bot's failure. Alone, it is
 * sent where the slot went, the client's slot map is brought up to date, and a slot still without a
 * master is tried again every retryDelayOnClusterDown ms (store/connect.ts).
 */
async function alone(redis: RedisClient, text: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  const [reply] = (await redis.pipeline().eval(text, keys.length, ...keys, ...args).exec()) ?? [];
  if (!reply) throw new Error('Redis gave no reply');
  if (reply[0]) throw reply[0];
  return reply[1];
}

function send(redis: RedisClient, name: string, text: string): (keys: string[], args: (string | number)[]) => Promise<unknown> {
  return async (keys, args) => {
    // The first use in a process sends the text (EVAL): on a Redis that does not know it yet (a fresh or
    // restarted one), EVALSHA would cost a round trip for its NOSCRIPT answer, first.
    if (!sent.has(name)) {
      sent.add(name);
      // Its digest is made meanwhile, so the next use's EVALSHA leaves in the turn it is called.
      void import('node:crypto').then((c) => shas.set(name, c.createHash('sha1').update(text).digest('hex')));
      return redis.eval(text, keys.length, ...keys, ...args);
    }
    // node:crypto is loaded on first use only: a one-shot `tfctl list` never needs it.
    let digest = shas.get(name);
    if (!digest) shas.set(name, (digest = (await import('node:crypto')).createHash('sha1').update(text).digest('hex')));
    try {
      return await redis.evalsha(digest, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(text, keys.length, ...keys, ...args);
    }
  };
}
