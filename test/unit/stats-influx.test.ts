import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { BOT_MEASUREMENT, HOURLY_MEASUREMENT, parseInfluxUrl, statsToPoints } from '../../src/metrics/influx.js';
import type { BotStats, FarmStats } from '../../src/metrics/stats.js';

describe('parseInfluxUrl', () => {
  it('takes the database from the last path segment, tfctl by default', () => {
    expect(parseInfluxUrl('http://127.0.0.1:8086/farm')).toMatchObject({ protocol: 'http', host: '127.0.0.1', port: 8086, path: '', database: 'farm', safe: 'http://127.0.0.1:8086/farm' });
    expect(parseInfluxUrl('http://influx.example:8086')).toMatchObject({ database: 'tfctl', safe: 'http://influx.example:8086/tfctl' });
    expect(parseInfluxUrl('https://proxy.example/influx/db1')).toMatchObject({ protocol: 'https', port: 443, path: '/influx', database: 'db1' });
  });

  it('keeps credentials for the client and out of the safe form', () => {
    const t = parseInfluxUrl('http://writer:p%40ss@127.0.0.1:8086/tfctl');
    expect(t).toMatchObject({ username: 'writer', password: 'p@ss', safe: 'http://127.0.0.1:8086/tfctl' });
  });

  it('rejects what is not an http(s) URL with a database name, without echoing a password', () => {
    for (const bad of ['127.0.0.1:8086/tfctl', 'ftp://host/db', 'nonsense', 'http://host:8086/bad%20name']) {
      expect(() => parseInfluxUrl(bad), bad).toThrow(UsageError);
    }
    expect(() => parseInfluxUrl('udp://u:hunter2@host/db')).toThrow(/^(?!.*hunter2)/);
  });
});

const hours = Array.from({ length: 24 }, (_, i) => new Date(Date.UTC(2026, 0, 1, i)).toISOString());
const bot = (over: Partial<BotStats>): BotStats => ({
  name: 'x', role: 'writer', reader: 'r1', status: 'waiting', cached: null, unprocessed: 0, backlog: 0,
  posted: 0, posted_24h: 0, errors: 0, rate_limited: 0, fetched: 0, ticks: 0, skipped: 0, duplicates: 0,
  last_tick_at: null, next_due_at: null, paused_until: null, posts_hourly: new Array<number>(24).fill(0), ...over,
});

describe('statsToPoints', () => {
  it('writes one point per bot and each writer\'s non-empty hours plus the current one', () => {
    const hourly = new Array<number>(24).fill(0);
    hourly[3] = 2;
    hourly[20] = 5;
    const stats = {
      at: '2026-01-01T23:30:00.000Z', prefix: 'tf', hours,
      bots: [
        bot({ name: 'r1', role: 'reader', reader: null, cached: 7, unprocessed: null, backlog: 7, fetched: 30, status: 'failing' }),
        bot({ name: 'w1', unprocessed: 4, backlog: 4, posted: 9, posted_24h: 7, errors: 2, rate_limited: 1, posts_hourly: hourly }),
      ],
    } as FarmStats;
    const points = statsToPoints(stats);
    const botPoints = points.filter((p) => p.measurement === BOT_MEASUREMENT);
    expect(botPoints).toHaveLength(2);
    expect(botPoints[0]).toMatchObject({ tags: { bot: 'r1', role: 'reader', prefix: 'tf' }, fields: { cached: 7, backlog: 7, fetched: 30, failing: 1 } });
    expect(botPoints[0]!.fields).not.toHaveProperty('unprocessed');
    expect(botPoints[1]).toMatchObject({ tags: { bot: 'w1', role: 'writer' }, fields: { unprocessed: 4, posted: 9, posted_24h: 7, errors: 2, rate_limited: 1, failing: 0 } });
    expect(botPoints[1]!.fields).not.toHaveProperty('cached');
    expect((botPoints[0]!.timestamp as Date).toISOString()).toBe(stats.at);

    const hourPoints = points.filter((p) => p.measurement === HOURLY_MEASUREMENT);
    expect(hourPoints.map((p) => [(p.timestamp as Date).toISOString(), p.fields!.posts])).toEqual([
      [hours[3], 2], [hours[20], 5], [hours[23], 0],
    ]);
    expect(hourPoints.every((p) => p.tags!.bot === 'w1')).toBe(true);
  });
});
