import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFarm } from '../../src/archive/import.js';
import { parseDuration } from '../../src/bots/values.js';
import { run as list } from '../../src/cli/commands/list.js';
import { run as stats } from '../../src/cli/commands/stats.js';
import { loadConfig, type Config } from '../../src/config.js';
import { tfctl } from '../helpers/cli.js';
import { bufferIo } from '../helpers/io.js';
import { startRedis, type PrivateRedis } from '../helpers/redis.js';

/**
 * The same farm lists the same before and after bot kinds became folders: the farm and the listings in
 * test/fixtures/farm-before/ were made by the code before (see its README).
 */
const fixture = (name: string) => new URL(`../fixtures/farm-before/${name}`, import.meta.url);

let redis: PrivateRedis;
let config: Config;

beforeAll(async () => {
  redis = await startRedis();
  const client = redis.client();
  await importFarm(client, 'tf', fixture('farm.tar.gz').pathname);
  client.disconnect();
  config = { ...loadConfig({}), redisUrl: redis.url, prefix: 'tf' };
});
afterAll(async () => redis?.stop());

describe('a farm made before kinds were folders', () => {
  it('lists identically with list --json, in-process and as a command', async () => {
    const expected = readFileSync(fixture('list.json'), 'utf8');
    // Since the capture, each bot also gives its interval in seconds (every_s, the --json convention);
    // everything else is printed exactly as then, in the same order.
    const asBefore = (out: string) => {
      const bots = JSON.parse(out) as Array<Record<string, unknown>>;
      for (const b of bots) expect(b.every_s).toBe(parseDuration(String(b.every)));
      return `${JSON.stringify(bots.map(({ every_s: _s, ...rest }) => rest), null, 2)}\n`;
    };
    const io = bufferIo();
    await list({ json: true }, io, config);
    expect(asBefore(io.stdout)).toBe(expected);
    const r = await tfctl(['list', '--json'], { REDIS_URL: redis.url, TFCTL_PREFIX: 'tf' });
    expect(r.code, r.stderr).toBe(0);
    expect(asBefore(r.stdout)).toBe(expected);
  });

  it('gives the same stats --json (but for the time it ran)', async () => {
    const io = bufferIo();
    await stats({ json: true, influx: false }, io, config);
    const { at: _at, hours: _hours, ...now } = JSON.parse(io.stdout) as Record<string, unknown>;
    const then = readFileSync(fixture('stats.json'), 'utf8');
    // Kinds added since the capture (collectors) add a zero total of their own; all else is as printed then.
    const totals = now.totals as Record<string, unknown>;
    const old = (JSON.parse(then) as { totals: Record<string, unknown> }).totals;
    for (const k of Object.keys(totals)) if (totals[k] === 0 && !(k in old)) delete totals[k];
    expect(`${JSON.stringify(now, null, 2)}\n`).toBe(then);
  });
});
