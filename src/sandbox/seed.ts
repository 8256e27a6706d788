/**
 * Loads fixtures/seed.json into a fresh state: accounts, follows and the Russian timeline. Tweets are
 * spread back in time from "now" (deterministic gaps from the seed) so ids increase with time and
 * the newest tweet is a few minutes old.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { State } from './state.js';

export interface SeedFile {
  accounts: Array<{ username: string; name: string }>;
  follows: Array<[string, string]>;
  tweets: Array<[string, string]>;
}

let cached: SeedFile | undefined;

export function seedFile(): SeedFile {
  // Resolved next to this module: src/sandbox/fixtures under vitest, dist/sandbox/fixtures when built.
  cached ??= JSON.parse(readFileSync(new URL('../sandbox/fixtures/seed.json', import.meta.url), 'utf8')) as SeedFile;
  return cached;
}

export function applySeed(state: State): void {
  const seed = seedFile();
  for (const a of seed.accounts) state.createAccount(a.username, a.name);
  for (const [a, b] of seed.follows) state.follow(state.account(a)!, state.account(b)!);
  const now = state.now();
  const gaps = seed.tweets.map((_, i) => {
    const h = createHash('sha256').update(`${state.seed}:gap:${i}`).digest();
    return 60_000 + (h.readUInt32BE(0) % (20 * 60_000)); // one to twenty-one minutes apart
  });
  let at = now - 120_000 - gaps.reduce((s, g) => s + g, 0);
  seed.tweets.forEach(([author, text], i) => {
    at += gaps[i]!;
    state.addTweet(state.account(author)!, text, at);
  });
}
