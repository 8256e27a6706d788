/**
 * `npm run demo`: the farm's main job end to end on this machine, with nothing to configure.
 * It starts a private redis-server (or uses REDIS_URL) and the X API sandbox in-process, builds a farm
 * of one reader and three writers with different templates and grammatical cases, runs ticks, and
 * prints what each writer posted. Its farm has a prefix of its own (never the operator's TFCTL_PREFIX)
 * and is removed at the end unless `--keep` is given.
 */
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config.js';
import { startRedis, type PrivateRedis } from '../dev/redis-server.js';
import { reader } from '../bots/reader/index.js';
import { writer } from '../bots/writer/index.js';
import { Farm } from '../farm/farm.js';
import { runTick } from '../farm/tick.js';
import { SandboxAdmin } from '../sandbox/admin-client.js';
import { startSandbox } from '../sandbox/server.js';
import { scanKeys } from '../store/scan.js';
import { deleteKeys } from '../store/slots.js';

const WRITERS = [
  { name: 'love', template: '%s – это когда тебя любят.' },
  { name: 'without', template: 'Жизнь без {noun:gent,plur} не та.' },
  { name: 'dreams', template: 'Всю ночь думал о {noun:loct}.' },
];
const ROUNDS = 3;

export interface DemoOptions {
  /** A Redis to use (the operator's REDIS_URL); a private redis-server otherwise. */
  redisUrl?: string | undefined;
  /** Leave the demo farm in that Redis afterwards (only useful with redisUrl). */
  keep?: boolean;
  say?: (line: string) => void;
}

export async function runDemo(opts: DemoOptions = {}): Promise<{ prefix: string; posted: number }> {
  const say = opts.say ?? ((line: string) => void process.stdout.write(`${line}\n`));
  let redis: PrivateRedis | undefined;
  let redisUrl = opts.redisUrl;
  if (!redisUrl) {
    redis = await startRedis();
    redisUrl = redis.url;
    say(`redis: private redis-server on ${redisUrl}`);
  } else say(`redis: ${redisUrl} (from REDIS_URL)`);
  const sandbox = await startSandbox({ port: 0, tier: 'pro', seed: true });
  say(`sandbox: X API sandbox on ${sandbox.url}`);
  const admin = new SandboxAdmin(sandbox.url);

  const app = await admin.app();
  // Always a fresh prefix of its own: with the operator's TFCTL_PREFIX the demo's bots would join (and
  // its cleanup remove) a real farm.
  const prefix = `demo${Date.now().toString(36)}`;
  const config = { ...loadConfig({ ...process.env, TFCTL_PREFIX: prefix }), redisUrl, prefix, xApi: sandbox.url, consumerKey: app.consumer_key, consumerSecret: app.consumer_secret };
  const farm = await Farm.open(config);
  let posted = 0;
  try {
    const owner = await admin.account('owner');
    await farm.create({ name: 'reader', role: reader.name, token: owner.token, secret: owner.secret, every: '1m' });
    say(`farm "${prefix}": reader "reader" on @${owner.username}'s home timeline`);
    for (const w of WRITERS) {
      const account = await admin.account(`${w.name}_bot`);
      await farm.create({ name: w.name, role: writer.name, reader: 'reader', template: w.template, token: account.token, secret: account.secret, every: '1m', perTick: '2', grab: '3' });
      say(`  writer "${w.name}" (@${account.username}): ${w.template}`);
    }

    for (let round = 1; round <= ROUNDS; round++) {
      const report = await runTick(farm, { force: true });
      const s = report.summary;
      posted += s.posted;
      say(`\ntick ${round}: ${s.fetched} fetched, ${s.posted} posted, ${s.failed} failed in ${report.duration_ms} ms`);
      for (const b of report.bots) {
        if (b.role === reader.name) say(`  reader: ${b.detail}`);
        for (const p of b.posts ?? []) say(`  ${b.name.padEnd(8)} [${p.noun}] ${p.text}`);
        if (b.status === 'failed') say(`  ${b.name}: FAILED ${b.error ?? b.detail}`);
      }
    }

    say('\nwhat the sandbox shows on each writer account:');
    for (const w of WRITERS) {
      const tweets = await admin.tweets(`${w.name}_bot`);
      say(`  @${w.name}_bot: ${tweets.length} tweet(s)`);
    }
    const calls = await admin.requests();
    say(`API calls made: ${Object.entries(calls).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    if (redis) {
      // A private redis-server goes away with the demo, farm and all.
    } else if (opts.keep) say(`\nthe farm stays in ${redisUrl}: TFCTL_PREFIX=${prefix} tfctl list`);
    else {
      let removed = 0;
      for await (const batch of scanKeys(farm.redis, farm.store.keys.scanPattern())) if (batch.length) removed += await deleteKeys(farm.redis, batch, 'unlink');
      say(`\nremoved the demo farm "${prefix}" (${removed} keys) from ${redisUrl}; npm run demo -- --keep leaves it there`);
    }
  } finally {
    await farm.close();
    await sandbox.close();
    await redis?.stop();
  }
  return { prefix, posted };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--keep');
  if (unknown.length) {
    process.stderr.write(`demo: unknown argument ${unknown[0]} (the only option is --keep)\n`);
    process.exit(2);
  }
  runDemo({ redisUrl: process.env.REDIS_URL, keep: args.includes('--keep') }).catch((err) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  });
}
