import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { RedisClient } from '../store/client.js';
import { OperationalError, UsageError } from '../errors.js';
import { assertNoEviction } from '../store/eviction.js';
import { Keys } from '../store/keys.js';
import { migrateIfLegacy } from '../store/migrate.js';
import { scanKeys } from '../store/scan.js';
import { script } from '../store/scripts.js';
import { bySlot, deleteKeys } from '../store/slots.js';
import { isTransientKey } from './export.js';
import { checkBotRecords, checkSources } from './validate.js';
import {
  ARCHIVE_LIMITS, hashTag, KEYS_FILE, major, MANIFEST, parseManifest, parseRecord, redisVersion, restoreCommands,
  type KeyRecord, type Manifest,
} from './format.js';

/**
 * An archive read through and found valid (readArchive): what the import needs to know before it reads
 * the file again to write it. Only the bots' records are kept, never the other keys, so memory is
 * bounded by the number of bots, not by the archive.
 */
export interface CheckedArchive {
  file: string;
  manifest: Manifest;
  /** The archive's registry set, sorted. */
  bots: string[];
  /** Each bot's hash record, by key (what checkBotRecords and checkSources read). */
  botRecords: Map<string, KeyRecord>;
  limits: Limits;
}

export type Limits = { [K in keyof typeof ARCHIVE_LIMITS]: number };

const BOT_NAME = /^[A-Za-z0-9_]{1,32}$/;

function refuse(file: string, why: string): never {
  throw new UsageError(`refusing archive ${file}: ${why}`);
}

/**
 * Reads and checks a whole archive without touching Redis, in one streaming pass: only regular files
 * named in the format, no links, devices, absolute paths or `..`, sizes within limits, a known format
 * version, every checksum right, every record well formed and under the archive's own prefix, every bot
 * by the rules of create and set. (A key that appears twice is caught by the import itself, while it
 * stages: remembering every key here would make memory grow with the archive.)
 */
export async function readArchive(file: string, limits: Limits = ARCHIVE_LIMITS): Promise<CheckedArchive> {
  let names: string[] | undefined;
  let count = 0;
  const botRecords = new Map<string, KeyRecord>();
  let source: Keys | undefined;
  const manifest = await streamArchive(file, limits, (m, lines, first) => {
    source ??= new Keys(m.prefix);
    lines.forEach((line, i) => {
      const where = `${KEYS_FILE} line ${first + i}`;
      const rec = checkedRecord(m, source!, line, where);
      count++;
      if (rec.key === source!.bots()) {
        if (names) throw new UsageError(`invalid archive: ${where}: key "${rec.key}" appears twice`);
        if (rec.type !== 'set') throw new UsageError(`invalid archive: ${rec.key} must be a set`);
        names = rec.value;
        for (const name of names) if (!BOT_NAME.test(name)) throw new UsageError(`invalid archive: bot name "${name}" is not valid`);
      } else if (rec.type === 'hash' && isBotKey(source!, rec.key)) {
        if (botRecords.has(rec.key)) throw new UsageError(`invalid archive: ${where}: key "${rec.key}" appears twice`);
        botRecords.set(rec.key, rec);
      }
    });
  });
  if (count !== manifest.counts.keys) refuse(file, `the manifest counts ${manifest.counts.keys} keys, ${KEYS_FILE} holds ${count}`);
  const bots = [...(names ?? [])].sort();
  // Every bot by the rules create and set apply (the kinds' settings schema).
  await checkBotRecords(botRecords, bots, source ?? new Keys(manifest.prefix));
  // Hashes of bots the registry does not list are plain keys, written as they are.
  const listed = new Set(bots.map((n) => source!.bot(n)));
  for (const key of botRecords.keys()) if (!listed.has(key)) botRecords.delete(key);
  return { file, manifest, bots, botRecords, limits };
}

/** `<prefix>:bot:{name}`: a bot's hash. */
function isBotKey(keys: Keys, key: string): boolean {
  const tag = hashTag(key);
  return tag !== undefined && key === keys.bot(tag);
}

const legacy = new WeakMap<Keys, Map<string, string>>();
/** The farm-wide keys' old names and their names now (Keys.legacy), worked out once per archive. */
function legacyNames(keys: Keys): Map<string, string> {
  let m = legacy.get(keys);
  if (!m) legacy.set(keys, (m = new Map(keys.legacy())));
  return m;
}

/** One line of keys.jsonl, parsed and checked against the manifest's prefix. */
function checkedRecord(manifest: Manifest, source: Keys, line: string, where: string): KeyRecord {
  const rec = parseRecord(line, where);
  if (!rec.key.startsWith(`${manifest.prefix}:`) || rec.key.length === manifest.prefix.length + 1) {
    throw new UsageError(`invalid archive: ${where}: key "${rec.key}" is outside the archive's prefix "${manifest.prefix}"`);
  }
  if (isTransientKey(source, rec.key)) throw new UsageError(`invalid archive: ${where}: lock key "${rec.key}" does not belong in an archive`);
  // An archive of a farm from before the farm-wide hash tag names those keys as they were then.
  rec.key = legacyNames(source).get(rec.key) ?? rec.key;
  return rec;
}

/**
 * Streams the tar.gz through the tar parser: checks every entry, parses the manifest (which must come
 * first, as export writes it), and hands keys.jsonl's lines to `onLines` a chunk at a time, with the
 * number of the first. When onLines returns a promise, reading waits for it (the entry is paused, and
 * the parser and the file with it), so a slow consumer never makes the data pile up in memory. The
 * sha256 and size of keys.jsonl are checked at its end; the manifest is returned.
 */
async function streamArchive(
  file: string,
  limits: Limits,
  onLines: (manifest: Manifest, lines: string[], first: number) => void | Promise<void>,
): Promise<Manifest> {
  try {
    if (!(await stat(file)).isFile()) throw new UsageError(`${file} is not a regular file`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const { Parser } = await import('tar');
  const seen = new Set<string>();
  let manifest: Manifest | undefined;
  let keysDone: Promise<void> | undefined;
  let total = 0;
  await new Promise<void>((resolvePromise, reject) => {
    let failed = false;
    const input = createReadStream(file);
    /** `asIs`: an error of the consumer (a bad record, Redis), reported as it is. */
    const fail = (err: unknown, asIs = false) => {
      if (failed) return;
      failed = true;
      input.destroy();
      if (asIs || err instanceof UsageError) reject(err);
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
        else if (seen.has(path)) why = `entry "${path}" appears twice`;
        else if (seen.size >= limits.entries) why = 'too many entries';
        else if (entry.size > (path === MANIFEST ? limits.manifestBytes : limits.entryBytes)) why = `entry "${path}" is ${entry.size} bytes, over the limit`;
        else if (total + entry.size > limits.totalBytes) why = 'the entries together are over the size limit';
        else if (path === KEYS_FILE && !manifest) why = `${MANIFEST} is missing before ${KEYS_FILE} (export writes it first)`;
        if (why) {
          entry.resume();
          return fail(new UsageError(`refusing archive ${file}: ${why}`));
        }
        seen.add(path);
        total += entry.size;
        let got = 0;
        const tooLong = () => fail(new UsageError(`refusing archive ${file}: entry "${path}" is longer than its header says`));
        if (path === MANIFEST) {
          const chunks: Buffer[] = [];
          entry.on('data', (c: Buffer) => {
            got += c.length;
            if (got > entry.size) return tooLong();
            chunks.push(c);
          });
          entry.on('end', () => {
            if (failed) return;
            try {
              manifest = parseManifest(Buffer.concat(chunks).toString('utf8'));
              for (const name of Object.keys(manifest.files)) if (name !== KEYS_FILE) refuse(file, `entry ${name} listed in the manifest is missing`);
            } catch (err) {
              fail(err);
            }
          });
          return;
        }
        const m = manifest!;
        const want = m.files[KEYS_FILE]!;
        const hash = createHash('sha256');
        let partial: Buffer[] = [];
        let lineNo = 1;
        // Lines split at "\n" bytes, which never occur inside a UTF-8 character.
        const take = (c: Buffer, last: boolean): string[] => {
          const lines: string[] = [];
          let from = 0;
          for (let nl = c.indexOf(10); nl >= 0; nl = c.indexOf(10, from)) {
            const piece = c.subarray(from, nl);
            lines.push((partial.length ? Buffer.concat([...partial, piece]) : piece).toString('utf8'));
            partial = [];
            from = nl + 1;
          }
          if (from < c.length) partial.push(c.subarray(from));
          if (last && partial.length) lines.push(Buffer.concat(partial).toString('utf8'));
          return lines;
        };
        let busy: Promise<void> | undefined;
        const hand = (lines: string[]) => {
          if (!lines.length) return;
          const first = lineNo;
          lineNo += lines.length;
          let pending: void | Promise<void>;
          try {
            pending = onLines(m, lines, first);
          } catch (err) {
            return fail(err, true);
          }
          if (pending) {
            entry.pause();
            busy = pending.then(
              () => {
                busy = undefined;
                entry.resume();
              },
              (err: unknown) => fail(err, true),
            );
          }
        };
        entry.on('data', (c: Buffer) => {
          if (failed) return;
          got += c.length;
          if (got > entry.size) return tooLong();
          hash.update(c);
          hand(take(c, false));
        });
        // The end waits for the lines still being handled, and for the last line's.
        keysDone = new Promise<void>((done) => {
          entry.on('end', async () => {
            await busy;
            if (failed) return;
            hand(take(Buffer.alloc(0), true));
            await busy;
            if (failed) return;
            if (got !== want.bytes || hash.digest('hex') !== want.sha256) return fail(new UsageError(`refusing archive ${file}: checksum mismatch for ${KEYS_FILE}`));
            done();
          });
        });
      },
    });
    parser.on('error', fail);
    parser.on('end', () => {
      if (failed) return;
      if (!manifest) return fail(new UsageError(`refusing archive ${file}: ${MANIFEST} is missing`));
      if (!keysDone) return fail(new UsageError(`refusing archive ${file}: entry ${KEYS_FILE} listed in the manifest is missing`));
      void keysDone.then(() => {
        if (!failed) resolvePromise();
      });
    });
    input.on('error', fail);
    input.pipe(parser);
  });
  return manifest!;
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

/** Records staged per round trip: enough to keep the pipe full, few enough to bound memory. */
const BATCH = 2000;

/**
 * Restores an archive into the farm under `prefix` (the archive's own prefix is rewritten to it: key
 * names are `<prefix>:<rest>`, and the rest, hash tags included, is kept as is). Memory stays bounded
 * whatever the archive's size: it is read twice as a stream, and only the bots' records are kept.
 *
 * 1. Check (readArchive, no Redis): every record, checksums, every bot by the kinds' schema.
 * 2. Stage: the archive is read again and every key written under a staging name outside the farm
 *    (Keys.staging), a batch per round trip, noting which keys the farm already has and which key
 *    appears twice. Any failure — a refused record, a bot that exists without --replace, a command
 *    Redis rejects, a checksum that no longer matches — deletes the staging keys: the farm is unchanged.
 * 3. Swap: each staged key is RENAMEd onto its farm name (same hash tag, same slot), then keys of
 *    replaced bots that the archive does not have are deleted, and last the bots join the registry, so
 *    a tick sees a bot only once all of its keys are in place. Only a crash or a Redis failure inside
 *    this step (seconds for a million keys) leaves part of the archive imported.
 */
export async function importFarm(redis: RedisClient, prefix: string, archive: string | CheckedArchive, opts: ImportOptions = {}): Promise<ImportResult> {
  const checked = typeof archive === 'string' ? await readArchive(archive, opts.limits) : archive;
  const { manifest, bots } = checked;
  const target = new Keys(prefix);
  // The target farm's own keys under their names now, before any is looked at (src/store/migrate.ts).
  await Promise.all([assertNoEviction(redis), migrateIfLegacy(redis, target)]);
  const source = new Keys(manifest.prefix);
  const rest = (key: string) => key.slice(manifest.prefix.length + 1);
  const redisMajor = major(await redisVersion(redis));
  // Checked again (an archive may come already read), then each consumer's source, against this farm too.
  await checkSources(checked.botRecords, await checkBotRecords(checked.botRecords, bots, source), source, redis, target);

  const existingBots = await membersOf(redis, target.bots(), bots);
  const taken = new Set(bots.filter((_, i) => existingBots[i]));
  const staging = target.staging(randomBytes(8).toString('hex'));
  const staged = (key: string) => `${staging}:${rest(key)}`;
  const foreign: string[] = [];
  /** Farm keys the archive overwrites (only those of bots it replaces are kept, for step 3). */
  const overwritten = new Set<string>();
  let keys = 0;
  try {
    let batch: Array<{ rec: KeyRecord; where: string }> = [];
    const conflict = (key: string) => {
      const tag = hashTag(key);
      // A farm-wide key (the bearer cache) is no bot's: the farm's own, like a key without a tag.
      if (tag === undefined || key.startsWith(target.farmWide())) foreign.push(key);
      else {
        taken.add(tag);
        overwritten.add(key);
      }
    };
    const twice = ({ rec, where }: { rec: KeyRecord; where: string }) => new UsageError(`invalid archive: ${where}: key "${rec.key}" appears twice`);
    const stage = script(redis, 'stage-keys');
    const flush = async () => {
      const todo = batch;
      batch = [];
      const inBatch = new Set<string>();
      for (const item of todo) {
        if (inBatch.has(item.rec.key)) throw twice(item);
        inBatch.add(item.rec.key);
      }
      // Streams, rare and many commands each, one by one; every other key in one script call a batch.
      const plain = todo.filter(({ rec }) => rec.type !== 'stream');
      // One call per cluster slot (a staged key keeps its farm name's hash tag), all sent together.
      const calls = bySlot(plain, ({ rec }) => rec.key).map(async (group) => {
        const keys: string[] = [];
        const args: string[] = [];
        for (const { rec } of group) {
          keys.push(staged(rec.key), `${prefix}:${rest(rec.key)}`);
          const values = rec.type === 'string' ? [rec.value] : rec.type === 'hash' ? Object.entries(rec.value).flat() : rec.type === 'zset' ? rec.value.flatMap(([m, sc]) => [sc, m]) : (rec.value as string[]);
          args.push(rec.type, rec.ttl_ms ? String(rec.ttl_ms) : '', String(values.length), ...values);
        }
        let reply: [number, number[]];
        try {
          reply = (await stage(keys, args)) as [number, number[]];
        } catch (err) {
          throw new OperationalError(`import failed and was rolled back, nothing was imported: ${(err as Error).message}`);
        }
        if (reply[0]) throw twice(group[reply[0] - 1]!);
        for (const i of reply[1]) conflict(keys[2 * i - 1]!);
      });
      // Every call settles before a failure is reported: the rollback must not race a call still staging.
      const failed = (await Promise.allSettled(calls)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      for (const item of todo) {
        if (item.rec.type !== 'stream') continue;
        const key = `${prefix}:${rest(item.rec.key)}`;
        const [dup, exists] = ((await redis.pipeline().exists(staged(item.rec.key)).exists(key).exec()) ?? []).map(([, n]) => Number(n));
        if (dup) throw twice(item);
        if (exists) conflict(key);
        const pipe = redis.pipeline();
        for (const [cmd, ...a] of restoreCommands(item.rec, staged(item.rec.key), redisMajor)) pipe.call(cmd, ...a);
        const failure = ((await pipe.exec()) ?? []).find(([err]) => err)?.[0];
        if (failure) throw new OperationalError(`import failed and was rolled back, nothing was imported: ${failure.message}`);
      }
    };
    await streamArchive(checked.file, checked.limits, (m, lines, first) => {
      if (m.files[KEYS_FILE]!.sha256 !== manifest.files[KEYS_FILE]!.sha256) refuse(checked.file, 'it changed since it was checked');
      lines.forEach((line, i) => {
        const where = `${KEYS_FILE} line ${first + i}`;
        const rec = checkedRecord(manifest, source, line, where);
        keys++;
        if (rec.key !== source.bots()) batch.push({ rec, where });
      });
      if (batch.length >= BATCH) return flush();
    });
    await flush();
    if (keys !== manifest.counts.keys) refuse(checked.file, 'it changed since it was checked');
    if ((taken.size || foreign.length) && !opts.replace) {
      const what = taken.size ? `bot(s) ${[...taken].sort().join(', ')} exist already` : `key(s) ${foreign.slice(0, 3).join(', ')} exist already`;
      throw new UsageError(`${what} in this farm: nothing imported; use --replace to overwrite them`);
    }
    // A bot of the same name created meanwhile would be overwritten without --replace.
    const now = await membersOf(redis, target.bots(), bots);
    if (!opts.replace && now.some(Boolean)) throw new OperationalError('the farm changed while importing; nothing was imported, try again');
  } catch (err) {
    await dropKeys(redis, `${staging}:*`);
    throw err;
  }

  try {
    // With --replace, every key of a replaced bot goes, also ones the archive does not have: those
    // first (the archive's own overwrite theirs in place below, so they are never absent).
    if (taken.size) {
      const leftovers: string[] = [];
      for await (const batch of scanKeys(redis, target.scanPattern())) {
        for (const k of batch) {
          const tag = hashTag(k);
          if (tag !== undefined && taken.has(tag) && !isTransientKey(target, k) && k !== target.bots() && !overwritten.has(k)) leftovers.push(k);
        }
      }
      for (let i = 0; i < leftovers.length; i += 1000) await deleteKeys(redis, leftovers.slice(i, i + 1000));
    }
    // SCAN may return a key twice: the script skips one that is gone.
    const move = script(redis, 'rename-staged');
    for await (const batch of scanKeys(redis, `${staging}:*`, 1000, false)) {
      // One call per cluster slot: each staged key and its farm name share a hash tag.
      if (batch.length) await Promise.all(bySlot(batch, (k) => k).map((group) => move(group.flatMap((k) => [k, `${prefix}:${k.slice(staging.length + 1)}`]), [])));
    }
    // Last: a tick sees a bot only once all of its keys are in place.
    for (let i = 0; i < bots.length; i += 1000) await redis.sadd(target.bots(), ...bots.slice(i, i + 1000));
  } catch (err) {
    throw new OperationalError(`import failed while moving keys into the farm; run it again with --replace: ${(err as Error).message}`);
  }
  return { manifest, bots, keys, replaced: [...taken].sort(), fromPrefix: manifest.prefix, toPrefix: prefix };
}

async function membersOf(redis: RedisClient, key: string, names: string[]): Promise<boolean[]> {
  if (names.length === 0) return [];
  const pipe = redis.pipeline();
  for (const n of names) pipe.sismember(key, n);
  return ((await pipe.exec()) ?? []).map(([err, n]) => {
    if (err) throw err;
    return Number(n) === 1;
  });
}

/** Deletes every key matching `pattern` (the staging keys of a failed import). */
async function dropKeys(redis: RedisClient, pattern: string): Promise<void> {
  for await (const batch of scanKeys(redis, pattern, 1000, false)) if (batch.length) await deleteKeys(redis, batch);
}
