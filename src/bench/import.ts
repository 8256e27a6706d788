/**
 * `node dist/bench/import.js [--keys N]`: how `import` scales. Writes an archive of N small keys (bots'
 * hashes, sets, lists), imports it into a private Redis, and prints JSON on the last line: keys, archive
 * bytes, seconds, peak RSS.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '../dev/redis-server.js';
import { importFarm, readArchive } from '../archive/import.js';
import { FORMAT, FORMAT_VERSION, KEYS_FILE, MANIFEST } from '../archive/format.js';

const i = process.argv.indexOf('--keys');
const n = i > 0 ? Number(process.argv[i + 1]) : 100_000;
const dir = mkdtempSync(join(tmpdir(), 'tfctl-import-bench-'));
const prefix = 'b';
const lines: string[] = [];
const bots = Math.min(1000, Math.floor(n / 10));
const names = Array.from({ length: bots }, (_, k) => `r${k}`);
lines.push(JSON.stringify({ key: `${prefix}:bots`, type: 'set', value: names }));
for (const name of names) lines.push(JSON.stringify({ key: `${prefix}:bot:{${name}}`, type: 'hash', value: { role: 'reader', every_s: '3600', paused: '0', created_at: '1' } }));
for (let k = lines.length; k < n; k++) lines.push(JSON.stringify({ key: `${prefix}:{r${k % bots}}:x${k}`, type: 'list', value: [`item ${k}`] }));
const text = `${lines.join('\n')}\n`;
const sha = createHash('sha256').update(text).digest('hex');
const manifest = {
  format: FORMAT, format_version: FORMAT_VERSION, tfctl_version: '0', prefix, created_at: new Date(0).toISOString(), secrets: false, redis_version: '7.0.0',
  counts: { keys: n, bots, stream_entries: 0, pending: 0, by_type: {} }, files: { [KEYS_FILE]: { sha256: sha, bytes: Buffer.byteLength(text) } },
};
writeFileSync(join(dir, KEYS_FILE), text);
writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
const tar = await import('tar');
const file = join(dir, 'bench.tar.gz');
await tar.create({ gzip: true, portable: true, cwd: dir, file }, [MANIFEST, KEYS_FILE]);
const redis = await startRedis();
const client = redis.client();
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const started = Date.now();
try {
  const archive = await readArchive(file, { entries: 2, manifestBytes: 1 << 20, entryBytes: 1 << 30, totalBytes: 1 << 30 });
  const read = Date.now() - started;
  await importFarm(client, 'i', archive);
  clearInterval(sample);
  process.stdout.write(`${JSON.stringify({ keys: n, keys_bytes: Buffer.byteLength(text), archive_bytes: statSync(file).size, read_s: read / 1000, import_s: (Date.now() - started) / 1000, peak_rss_mb: Math.round(peak / 1e6) })}\n`);
} finally {
  clearInterval(sample);
  client.disconnect();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
