import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot } from './store.js';
import { byId } from './plan.js';

/** A snapshot's rows, most retweeted first; equal counts in tweet id order, so files compare as text. */
export function ranked(s: Snapshot): Array<[id: string, count: number]> {
  return Object.entries(s.counts)
    .map(([id, [count]]) => [id, count] as [string, number])
    .sort((a, b) => b[1] - a[1] || byId(a[0], b[0]));
}

/**
 * Writes `dir/counts-<minute epoch ms>.tsv` (tweet_id TAB retweets, one line each) under a temporary
 * name first and renames it, so a reader never sees half a file. Returns the path.
 */
export async function writeCounts(dir: string, s: Snapshot): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `counts-${s.at}.tsv`);
  const tmp = join(dir, `.counts-${s.at}.tsv.${process.pid}.tmp`);
  const text = ranked(s).map(([id, c]) => `${id}\t${c}\n`).join('');
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return path;
}
