import { scanKeys } from '../store/scan.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { OperationalError, UsageError } from '../errors.js';
import { assertNoEviction } from '../store/eviction.js';
import { Keys } from '../store/keys.js';
import { isTransientKey } from './export.js';
import { checkBotRecords, checkSources } from './validate.js';
import {
  ARCHIVE_LIMITS, hashTag, KEYS_FILE, major, MANIFEST, parseManifest, parseRecord, redisVersion, restoreCommands, sha256,
  type Command, type KeyRecord, type Manifest,
} from './format.js';

export interface ArchiveContents {
  manifest: Manifest;
  records: KeyRecord[];
}

export type Limits = { [K in keyof typeof ARCHIVE_LIMITS]: number };

const BOT_NAME = /^[A-Za-z0-9_]{1,32}$/;

function refuse(file: string, why: string): never {
  throw new UsageError(`refusing archive ${file}: ${why}`);
}

/**
 * Reads and checks a whole archive without touching Redis: only regular files named in the format,
 * no links, devices, absolute paths or `..`, sizes within limits, a known format version, every
 * checksum right, every record well formed and under the archive's own prefix.
 */
export async function readArchive(file: string, limits: Limits = ARCHIVE_LIMITS): Promise<ArchiveContents> {
  try {
    if (!(await stat(file)).isFile()) throw new UsageError(`${file} is not a regular file`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const entries = await readEntries(file, limits);
  const manifestData = entries.get(MANIFEST);
  if (!manifestData) refuse(file, `${MANIFEST} is missing`);
  const manifest = parseManifest(manifestData.toString('utf8'));
  for (const name of entries.keys()) {
    if (name !== MANIFEST && !manifest.files[name]) refuse(file, `entry ${name} is not listed in the manifest`);
  }
  for (const [name, want] of Object.entries(manifest.files)) {
    const data = entries.get(name);
    if (!data) refuse(file, `entry ${name} listed in the manifest is missing`);
    if (data.length !== want.bytes || sha256(data) !== want.sha256) refuse(file, `checksum mismatch for ${name}`);
  }

  const text = entries.get(KEYS_FILE)!.toString('utf8');
  const records: KeyRecord[] = [];
  const seen = new Set<string>();
  const source = new Keys(manifest.prefix);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const where = `${KEYS_FILE} line ${i + 1}`;
    const rec = parseRecord(line, where);
    if (!rec.key.startsWith(`${manifest.prefix}:`) || rec.key.length === manifest.prefix.length + 1) {
      throw new UsageError(`invalid archive: ${where}: key "${rec.key}" is outside the archive's prefix "${manifest.prefix}"`);
    }
    if (isTransientKey(source, rec.key)) throw new UsageError(`invalid archive: ${where}: lock key "${rec.key}" does not belong in an archive`);
    if (seen.has(rec.key)) throw new UsageError(`invalid archive: ${where}: key "${rec.key}" appears twice`);
    seen.add(rec.key);
    records.push(rec);
  });
  if (records.length !== manifest.counts.keys) refuse(file, `the manifest counts ${manifest.counts.keys} keys, ${KEYS_FILE} holds ${records.length}`);
  const bots = records.find((r) => r.key === source.bots());
  if (bots && bots.type !== 'set') throw new UsageError(`invalid archive: ${bots.key} must be a set`);
  const names = bots?.type === 'set' ? bots.value : [];
  for (const name of names) {
    if (!BOT_NAME.test(name)) throw new UsageError(`invalid archive: bot name "${name}" is not valid`);
  }
  // Every bot by the rules create and set apply (the kinds' settings schema).
  await checkBotRecords(byKey(records), names, source);
  return { manifest, records };
}

/** Streams the tar.gz through the tar parser, keeping the data of the entries that pass every check. */
async function readEntries(file: string, limits: Limits): Promise<Map<string, Buffer>> {
  const { Parser } = await import('tar');
  const entries = new Map<string, Buffer>();
  let total = 0;
  return new Promise((resolvePromise, reject) => {
    let failed = false;
    const input = createReadStream(file);
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      if (err instanceof UsageError) reject(err);
      else reject(new UsageError(`refusing archive ${file}: not a valid tar.gz (${err instanceof Error ? err.message : String(err)})`));
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        if (failed) return entry.resume();
        const path = entry.path;
        let why: string | undefined;
        if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('\\')) why = `absolute path "${path}"`;
        else if (path.split(/[\\/]/).includes('..')) why = `path with ".." ("${path}")`;
        else if (entry.type !== 'File' && entry.type !== 'OldFile') why = `entry "${path}" is a ${entry.type}, not a regular file`;
        else if (path !== MANIFEST && path !== KEYS_FILE) why = `unknown entry "${path}"`;
        else if (entries.has(path)) why = `entry "${path}" appears twice`;
        else if (entries.size >= limits.entries) why = 'too many entries';
        else if (entry.size > (path === MANIFEST ? limits.manifestBytes : limits.entryBytes)) why = `entry "${path}" is ${entry.size} bytes, over the limit`;
        else if (total + entry.size > limits.totalBytes) why = 'the entries together are over the size limit';
        if (why) {
          entry.resume();
          return fail(new UsageError(`refusing archive ${file}: ${why}`));
        }
        total += entry.size;
        const chunks: Buffer[] = [];
        let got = 0;
        entry.on('data', (c: Buffer) => {
          got += c.length;
          if (got > entry.size) return fail(new UsageError(`refusing archive ${file}: entry "${path}" is longer than its header says`));
          chunks.push(c);
        });
        entry.on('end', () => entries.set(path, Buffer.concat(chunks)));
      },
    });
    parser.on('error', fail);
    parser.on('end', () => {
      if (!failed) resolvePromise(entries);
    });
    input.on('error', fail);
    input.pipe(parser);
  });
}

export interface ImportOptions {
  /** Let the archive's bots replace existing bots of the same names (their keys are deleted first). */
  replace?: boolean;
  limits?: Limits;
}

export interface ImportResult {
  manifest: Manifest;
  bots: string[];
  keys: number;
  replaced: string[];
  fromPrefix: string;
  toPrefix: string;
}

/**
 * Restores an archive into the farm under `prefix` (the archive's own prefix is rewritten to it: key
 * names are `<prefix>:<rest>`, and the rest, hash tags included, is kept as is).
 *
 * All or nothing: everything is validated first; the keys involved are WATCHed while conflicts are
 * checked; then one MULTI/EXEC writes everything. Redis does not roll a transaction back when a command
 * inside it fails, so on such a failure the written keys are deleted and replaced keys are put back
 * from DUMPs taken beforehand.
 */
export async function importFarm(redis: Redis, prefix: string, archive: string | ArchiveContents, opts: ImportOptions = {}): Promise<ImportResult> {
  const { manifest, records } = typeof archive === 'string' ? await readArchive(archive, opts.limits) : archive;
  await assertNoEviction(redis);
  const target = new Keys(prefix);
  const source = new Keys(manifest.prefix);
  const rename = (key: string) => `${prefix}:${key.slice(manifest.prefix.length + 1)}`;
  const botsRec = records.find((r) => r.key === source.bots());
  const bots = botsRec?.type === 'set' ? [...botsRec.value].sort() : [];
  const redisMajor = major(await redisVersion(redis));
  // Checked again (an archive may come already read), then each consumer's source, against this farm too.
  const index = byKey(records);
  await checkSources(index, await checkBotRecords(index, bots, source), source, redis, target);

  // The registry set is merged; every other key is written whole and must not exist unless replaced.
  const whole = records.filter((r) => r !== botsRec);
  const wholeKeys = whole.map((r) => rename(r.key));

  // Only the registry is watched: every bot created or destroyed meanwhile touches it, and WATCH costs
  // Redis a scan of the keys already watched, so watching every key made an import quadratic. A key
  // that appeared meanwhile is overwritten (each is deleted before it is written), never merged.
  await redis.watch(target.bots());
  try {
    const existingBots = await membersOf(redis, target.bots(), bots);
    const exists = await existsMany(redis, wholeKeys);
    const taken = new Set(bots.filter((_, i) => existingBots[i]));
    const foreign: string[] = [];
    wholeKeys.forEach((k, i) => {
      if (!exists[i]) return;
      const tag = hashTag(k);
      if (tag !== undefined) taken.add(tag);
      else foreign.push(k);
    });
    if ((taken.size || foreign.length) && !opts.replace) {
      const what = taken.size ? `bot(s) ${[...taken].sort().join(', ')} exist already` : `key(s) ${foreign.slice(0, 3).join(', ')} exist already`;
      throw new UsageError(`${what} in this farm: nothing imported; use --replace to overwrite them`);
    }

    // With --replace, every key of a replaced bot goes, also ones the archive does not have.
    const doomed = new Set<string>(wholeKeys.filter((_, i) => exists[i]));
    if (opts.replace && taken.size) {
      for (const k of await allKeys(redis, target.scanPattern())) {
        const tag = hashTag(k);
        if (tag !== undefined && taken.has(tag) && !isTransientKey(target, k) && k !== target.bots()) doomed.add(k);
      }
    }
    const doomedList = [...doomed];
    const backups = await backup(redis, doomedList);

    const multi = redis.multi();
    if (doomedList.length) for (let i = 0; i < doomedList.length; i += 1000) multi.del(...doomedList.slice(i, i + 1000));
    if (bots.length) multi.sadd(target.bots(), ...bots);
    const queued: Command[] = [];
    for (let i = 0; i < whole.length; i++) {
      const fresh = !doomed.has(wholeKeys[i]!);
      if (fresh) queued.push(['DEL', wholeKeys[i]!]);
      for (const c of restoreCommands(whole[i]!, wholeKeys[i]!, redisMajor)) queued.push(c);
    }
    for (const [cmd, ...args] of queued) multi.call(cmd, ...args);

    let replies: Array<[Error | null, unknown]> | null;
    try {
      replies = await multi.exec();
    } catch (err) {
      // EXECABORT: Redis refused the transaction as a whole, nothing was applied.
      throw new OperationalError(`import failed, nothing was imported: ${(err as Error).message}`);
    }
    if (replies === null) throw new OperationalError('the farm changed while importing; nothing was imported, try again');
    const failure = replies.find(([err]) => err)?.[0];
    if (failure) {
      await rollback(redis, target, wholeKeys, bots.filter((_, i) => !existingBots[i]), backups);
      throw new OperationalError(`import failed and was rolled back: ${failure.message}`);
    }
    return { manifest, bots, keys: records.length, replaced: [...taken].sort(), fromPrefix: manifest.prefix, toPrefix: prefix };
  } finally {
    await redis.unwatch().catch(() => {});
  }
}

function byKey(records: KeyRecord[]): Map<string, KeyRecord> {
  return new Map(records.map((r) => [r.key, r]));
}

/** Which keys exist, in pipelines of a bounded size. */
async function existsMany(redis: Redis, keys: string[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < keys.length; i += 10_000) {
    const pipe = redis.pipeline();
    for (const k of keys.slice(i, i + 10_000)) pipe.exists(k);
    for (const [err, n] of (await pipe.exec()) ?? []) {
      if (err) throw err;
      out.push(Number(n) > 0);
    }
  }
  return out;
}

async function membersOf(redis: Redis, key: string, names: string[]): Promise<boolean[]> {
  if (names.length === 0) return [];
  const pipe = redis.pipeline();
  for (const n of names) pipe.sismember(key, n);
  return ((await pipe.exec()) ?? []).map(([err, n]) => {
    if (err) throw err;
    return Number(n) === 1;
  });
}

async function allKeys(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of scanKeys(redis, pattern)) out.push(...batch);
  return out;
}

interface Backup {
  key: string;
  dump: Buffer;
  ttl: number;
}

/** DUMPs of the keys about to be replaced: only for putting them back on this same server if the import fails. */
async function backup(redis: Redis, keys: string[]): Promise<Backup[]> {
  if (keys.length === 0) return [];
  const pipe = redis.pipeline();
  for (const k of keys) pipe.dumpBuffer(k).pttl(k);
  const replies = (await pipe.exec()) ?? [];
  const out: Backup[] = [];
  keys.forEach((key, i) => {
    const dump = replies[2 * i]![1] as Buffer | null;
    if (dump) out.push({ key, dump, ttl: Math.max(0, Number(replies[2 * i + 1]![1])) });
  });
  return out;
}

async function rollback(redis: Redis, target: Keys, written: string[], addedBots: string[], backups: Backup[]): Promise<void> {
  const pipe = redis.pipeline();
  for (let i = 0; i < written.length; i += 1000) pipe.del(...written.slice(i, i + 1000));
  if (addedBots.length) pipe.srem(target.bots(), ...addedBots);
  for (const b of backups) pipe.restore(b.key, b.ttl, b.dump, 'REPLACE');
  await pipe.exec();
}
