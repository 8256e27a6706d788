/**
 * How `tfctl import` scales: writes an archive of N small keys (bots' hashes, their registry, and
 * one-item lists in the bots' slots), then runs `tfctl import` on it as a child process against a
 * private Redis, and measures its time and peak RSS. `npm run bench -- --import` adds it to the
 * benchmark (1,000,000 keys, a keys.jsonl of some 50 MB); `node dist/bench/import.js [--keys N]` runs it
 * alone and prints JSON on the last line.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../dev/redis-server.js';
import { FORMAT, FORMAT_VERSION, KEYS_FILE, MANIFEST } from '../archive/format.js';
import { Keys } from '../store/keys.js';

const BIN = fileURLToPath(new URL('../../bin/tfctl', import.meta.url));
const HOOK = fileURLToPath(new URL('./rss-hook.js', import.meta.url));

/** Writes the archive a line at a time: the benchmark must not hold a million lines either. */
export async function writeArchive(dir: string, n: number): Promise<{ file: string; keysBytes: number }> {
  const prefix = 'b';
  const bots = Math.min(1000, Math.max(1, Math.floor(n / 10)));
  const names = Array.from({ length: bots }, (_, k) => `r${k}`);
  const hash = createHash('sha256');
  const out = createWriteStream(join(dir, KEYS_FILE));
  let bytes = 0;
  let buffered = '';
  const put = async (rec: unknown, last = false) => {
    if (rec) buffered += `${JSON.stringify(rec)}\n`;
    if (buffered.length < 1 << 16 && !last) return;
    hash.update(buffered);
    bytes += Buffer.byteLength(buffered);
    if (!out.write(buffered)) await new Promise<void>((r) => out.once('drain', () => r()));
    buffered = '';
  };
  const keys = new Keys(prefix);
  await put({ key: keys.bots(), type: 'set', value: names });
  for (const name of names) await put({ key: keys.bot(name), type: 'hash', value: { role: 'reader', every_s: '3600', paused: '0', created_at: '1' } });
  // Filler in the bots' slots: a kind's own keys, as many as the archive needs.
  for (let k = 1 + bots; k < n; k++) await put({ key: keys.own(`r${k % bots}`, `x${k}`), type: 'list', value: [`item ${k}`] });
  await put(null, true);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const manifest = {
    format: FORMAT, format_version: FORMAT_VERSION, tfctl_version: '0', prefix, created_at: new Date(0).toISOString(), secrets: false, redis_version: '7.0.0',
    counts: { keys: n, bots, stream_entries: 0, pending: 0, by_type: {} }, files: { [KEYS_FILE]: { sha256: hash.digest('hex'), bytes } },
  };
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
  const tar = await import('tar');
  const file = join(dir, 'bench.tar.gz');
  await tar.create({ gzip: true, portable: true, cwd: dir, file }, [MANIFEST, KEYS_FILE]);
  rmSync(join(dir, KEYS_FILE));
  return { file, keysBytes: bytes };
}

/** Imports an archive of `n` keys with `tfctl import`; the figures go into the benchmark's JSON. */
export async function benchImport(n: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tfctl-import-bench-'));
  const redis = await startRedis();
  try {
    const { file, keysBytes } = await writeArchive(dir, n);
    const rssFile = join(dir, 'rss');
    const started = process.hrtime.bigint();
    let stderr = '';
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', HOOK, BIN, 'import', file], {
        env: { ...process.env, REDIS_URL: redis.url, TFCTL_PREFIX: 'i', TFCTL_BENCH_RSS_FILE: rssFile },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      // Its one warning (the archive has no secrets: a thousand bots to `auth`) is only noise here.
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 2000)));
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? -1));
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (code !== 0) throw new Error(`tfctl import exited ${code}: ${stderr.slice(0, 500)}`);
    const client = redis.client();
    // Besides the archive's keys, import builds what is derived from them (the due index).
    const written = (await client.dbsize()) - (await client.exists(...new Keys('i').derived()));
    client.disconnect();
    if (written !== n) throw new Error(`tfctl import left ${written} keys in Redis (and the derived ones), not ${n}`);
    return {
      import_keys: n,
      import_keys_mb: Math.round(keysBytes / 1e5) / 10,
      import_archive_mb: Math.round(statSync(file).size / 1e5) / 10,
      import_s: Math.round(ms) / 1000,
      import_peak_rss_mb: Math.round(Number(readFileSync(rssFile, 'utf8').split(' ')[0]) / 102.4) / 10, // rss-hook.ts: kB first
    };
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--keys');
  const n = i > 0 ? Number(process.argv[i + 1]) : 100_000;
  process.stdout.write(`${JSON.stringify(await benchImport(n))}\n`);
}
