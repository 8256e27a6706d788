import { migrateIfLegacy } from '../store/migrate.js';
import { scanKeys } from '../store/scan.js';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { constants } from 'node:fs';
import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { RedisClient } from '../store/client.js';
import { OperationalError } from '../errors.js';
import { F } from '../store/bot-record.js';
import { Keys } from '../store/keys.js';
import {
  dumpKeys, FORMAT, FORMAT_VERSION, hashTag, KEYS_FILE, MANIFEST, redisVersion, tfctlVersion,
  type KeyRecord, type Manifest,
} from './format.js';

export interface ExportOptions {
  /** Leave the bots' token and secret out (they then need `tfctl auth` after import). */
  withoutSecrets?: boolean;
  /** Called every so many keys, for a progress line on a terminal. */
  onProgress?: (keysDone: number) => void;
  now?: () => Date;
}

/**
 * Keys that are never archived: tick locks are transient and belong to a run on this host; the farm's
 * events are a notification log and the due index is derived (Keys.derived), not state to move: an
 * import starts its own. Their names from before the farm-wide tag (Keys.legacy) count too.
 */
export function isTransientKey(keys: Keys, key: string): boolean {
  const [lock, derived] = transientNames(keys);
  return key.startsWith(lock) || derived.has(key);
}

const names = new WeakMap<Keys, [string, Set<string>]>();
/** What lock keys start with and the derived keys' names, worked out once per farm: import asks for each of a million keys. */
function transientNames(keys: Keys): [string, Set<string>] {
  let p = names.get(keys);
  if (p === undefined) {
    const derived = new Set(keys.derived());
    for (const [old, now] of keys.legacy()) if (derived.has(now)) derived.add(old);
    names.set(keys, (p = [keys.lock('\u0000').split('{')[0]!, derived]));
  }
  return p;
}

/**
 * Writes every key of the farm to `file` as a tar.gz. The archive is built in a private temp directory
 * next to `file`, written with mode 0600 and renamed into place, so a crash never leaves a truncated
 * archive under the final name and tokens are never readable by others.
 */
export async function exportFarm(redis: RedisClient, prefix: string, file: string, opts: ExportOptions = {}): Promise<Manifest> {
  const target = resolve(file);
  const keys = new Keys(prefix);
  // A farm from before the farm-wide hash tag is archived under the names it has now (src/store/migrate.ts).
  await migrateIfLegacy(redis, keys);
  const work = await mkdtemp(join(dirname(target), '.tfctl-export-'));
  // The archive is written inside the private (0700) directory too: nothing at a guessable name in a shared
  // directory (a planted symlink there was followed and its target overwritten).
  const partial = join(work, 'archive.tar.gz');
  try {
    const counts: Manifest['counts'] = { keys: 0, bots: 0, stream_entries: 0, pending: 0, by_type: {} };
    const hash = createHash('sha256');
    let bytes = 0;
    const out = createWriteStream(join(work, KEYS_FILE), { mode: 0o600 });
    const write = async (line: string) => {
      hash.update(line);
      bytes += Buffer.byteLength(line);
      if (!out.write(line)) await once(out, 'drain');
    };
    for await (const batch of scanKeys(redis, keys.scanPattern())) {
      const fresh = batch.filter((k) => !isTransientKey(keys, k));
      const records = await dumpKeys(redis, fresh.sort());
      for (const rec of records) {
        if (opts.withoutSecrets) stripSecrets(keys, rec);
        count(counts, rec, keys);
        await write(`${JSON.stringify(rec)}\n`);
      }
      opts.onProgress?.(counts.keys);
    }
    out.end();
    await once(out, 'finish');

    const manifest: Manifest = {
      format: FORMAT,
      format_version: FORMAT_VERSION,
      tfctl_version: tfctlVersion(),
      prefix,
      created_at: (opts.now?.() ?? new Date()).toISOString(),
      secrets: !opts.withoutSecrets,
      redis_version: await redisVersion(redis),
      counts,
      files: { [KEYS_FILE]: { sha256: hash.digest('hex'), bytes } },
    };
    await writeFile(join(work, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });

    const tar = await import('tar');
    // Created 0600 before tar opens it (opening an existing file keeps its mode), so the tokens in it
    // are never readable by others, not even for a moment.
    await (await open(partial, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)).close();
    await tar.create({ gzip: true, portable: true, cwd: work, file: partial }, [MANIFEST, KEYS_FILE]);
    const fh = await open(partial, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    // rename replaces whatever is at the target, a symlink included, without following it.
    await rename(partial, target);
    return manifest;
  } catch (err) {
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && /^E(ACCES|NOENT|ROFS|NOSPC|PERM|ISDIR|NOTDIR)$/.test(err.code)) {
      throw new OperationalError(`cannot write ${file}: ${err.message}`);
    }
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function stripSecrets(keys: Keys, rec: KeyRecord): void {
  const tag = hashTag(rec.key);
  if (rec.type !== 'hash' || tag === undefined || rec.key !== keys.bot(tag)) return;
  delete rec.value[F.token];
  delete rec.value[F.secret];
}

function count(counts: Manifest['counts'], rec: KeyRecord, keys: Keys): void {
  counts.keys++;
  counts.by_type[rec.type] = (counts.by_type[rec.type] ?? 0) + 1;
  if (rec.key === keys.bots() && rec.type === 'set') counts.bots = rec.value.length;
  if (rec.type === 'stream') {
    counts.stream_entries += rec.value.entries.length;
    for (const g of rec.value.groups) counts.pending += g.pending.length;
  }
}
