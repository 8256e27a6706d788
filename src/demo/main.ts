/**
 * `npm run demo`: the farm's main job end to end on this machine, with nothing to configure.
 * It starts a private redis-server (or uses REDIS_URL) and the X API sandbox in-process, builds a farm
 * of one reader and three writers with different templates and grammatical cases, runs ticks, and
 * prints what each writer posted.
 */
import { loadConfig } from '../config.js';
import { startRedis, type PrivateRedis } from '../dev/redis-server.js';
import { reader } from '../bots/reader/index.js';
import { writer } from '../bots/writer/index.js';
import { Farm } from '../farm/farm.js';
import { runTick } from '../farm/tick.js';
import { SandboxAdmin } from '../sandbox/admin-client.js';
import { startSandbox } from '../sandbox/server.js';

const WRITERS = [
  { name: 'love', template: '%s – это когда тебя любят.' },
  { name: 'without', template: 'Жизнь без {noun:gent,plur} не та.' },
  { name: 'dreams', template: 'Всю ночь думал о {noun:loct}.' },
];
const ROUNDS = 3;

async function main(): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let redis: PrivateRedis | undefined;
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    redis = await startRedis();
    redisUrl = redis.url;
    say(`redis: private redis-server on ${redisUrl}`);
  } else say(`redis: ${redisUrl} (from REDIS_URL)`);
  const sandbox = await startSandbox({ port: 0, tier: 'pro', seed: true });
  say(`sandbox: X API sandbox on ${sandbox.url}`);
  const admin = new SandboxAdmin(sandbox.url);

  const app = await admin.app();
  const prefix = process.env.TFCTL_PREFIX || `demo${Date.now().toString(36)}`;
  const config = { ...loadConfig(), redisUrl, prefix, xApi: sandbox.url, consumerKey: app.consumer_key, consumerSecret: app.consumer_secret };
  const farm = await Farm.open(config);
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
    if (!redis) say(`\nthe farm stays in ${redisUrl}: TFCTL_PREFIX=${prefix} tfctl list`);
  } finally {
    await farm.close();
    await sandbox.close();
    await redis?.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
});
