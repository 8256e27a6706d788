import { FieldType, InfluxDB, type IPoint } from 'influx';
import { OperationalError, UsageError } from '../errors.js';
import type { Farm } from '../farm/farm.js';
import { KIND_MEASUREMENTS, kindPoints } from '../bots/figures.js';
import { BACKLOG_LABELS, kindOf } from '../bots/index.js';
import type { KindPoint } from '../bots/types.js';
import { collectStats, type FarmStats } from './stats.js';

/** One point per bot per write: the bot's state and counters at that moment. */
export const BOT_MEASUREMENT = 'tfctl_bot';
/** One point per posting bot per UTC hour (timestamp = start of the hour): posts made in that hour. */
export const HOURLY_MEASUREMENT = 'tfctl_posts_hourly';
export const TAGS = ['bot', 'role', 'prefix'] as const;
/**
 * Integer fields of BOT_MEASUREMENT. Each kind's backlog label (a reader's cached, a writer's
 * unprocessed) is written for bots of that kind only.
 */
export const BOT_FIELDS = [
  'backlog', ...BACKLOG_LABELS, 'posted', 'posted_24h', 'errors', 'rate_limited',
  'fetched', 'ticks', 'skipped', 'duplicates', 'failing', 'paused',
] as const;
export const DEFAULT_DATABASE = 'tfctl';

/** InfluxDB advises batches of a few thousand points; a big farm's hourly points are split. */
const BATCH = 5000;

export interface InfluxTarget {
  protocol: 'http' | 'https';
  host: string;
  port: number;
  /** Path in front of the API, for an InfluxDB behind a reverse proxy; '' normally. */
  path: string;
  database: string;
  username?: string;
  password?: string;
  /** The URL without credentials, for messages and output. */
  safe: string;
}

/** Parses `http://[user:pass@]host:port[/path]/database`; the last path segment names the database. */
export function parseInfluxUrl(url: string): InfluxTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`invalid InfluxDB URL "${stripCredentials(url)}": use http://host:8086/database`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`invalid InfluxDB URL "${stripCredentials(url)}": use http:// or https://`);
  }
  const segments = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const database = segments.pop() ?? DEFAULT_DATABASE;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(database)) {
    throw new UsageError(`invalid InfluxDB database name "${database}": use letters, digits, _ . or -`);
  }
  const protocol = u.protocol === 'https:' ? 'https' : 'http';
  const port = u.port ? Number(u.port) : protocol === 'https' ? 443 : 80;
  const path = segments.length ? `/${segments.join('/')}` : '';
  const target: InfluxTarget = {
    protocol,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    path,
    database,
    safe: `${protocol}://${u.host}${path}/${database}`,
  };
  if (u.username) target.username = decodeURIComponent(u.username);
  if (u.password) target.password = decodeURIComponent(u.password);
  return target;
}

function stripCredentials(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//');
}

const intFields = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, FieldType.INTEGER]));

/** Turns collected stats (and the kinds' own points) into points: pure, so tests can check them without a server. */
export function statsToPoints(stats: FarmStats, kindPts: readonly KindPoint[] = []): IPoint[] {
  const at = new Date(stats.at);
  const points: IPoint[] = [];
  const currentHour = stats.hours.length - 1;
  for (const b of stats.bots) {
    const tags = { bot: b.name, role: b.role, prefix: stats.prefix };
    const fields: Record<string, number> = {
      backlog: b.backlog,
      posted: b.posted,
      posted_24h: b.posted_24h,
      errors: b.errors,
      rate_limited: b.rate_limited,
      fetched: b.fetched,
      ticks: b.ticks,
      skipped: b.skipped,
      duplicates: b.duplicates,
      failing: b.status === 'failing' ? 1 : 0,
      paused: b.status === 'paused' ? 1 : 0,
    };
    for (const l of BACKLOG_LABELS) if (typeof b[l] === 'number') fields[l] = b[l];
    points.push({ measurement: BOT_MEASUREMENT, tags, fields, timestamp: at });
    if (!kindOf(b.role)?.publishes) continue;
    // A past hour's count never changes once the hour is over, and rewriting a point with the same
    // series and time replaces it: writing every non-empty hour again is idempotent, and fills any
    // gap left by missed runs. The current hour is written even at 0 so the panel shows it.
    b.posts_hourly.forEach((posts, i) => {
      if (posts === 0 && i !== currentHour) return;
      points.push({ measurement: HOURLY_MEASUREMENT, tags, fields: { posts }, timestamp: new Date(stats.hours[i]!) });
    });
  }
  for (const p of kindPts) points.push({ measurement: p.measurement, tags: p.tags, fields: p.fields, timestamp: new Date(p.at) });
  return points;
}

/** The kinds' own points (a collector's rule hits, a tracker's retweet counts) for the bots of these stats. */
export async function kindPointsOf(farm: Farm, stats: FarmStats): Promise<KindPoint[]> {
  const at = Date.parse(stats.at);
  return kindPoints(stats.bots, { redis: farm.redis, store: farm.store, now: () => at });
}

/** A client for the target, with the schema that makes every number an integer field. */
export function influxClient(target: InfluxTarget): InfluxDB {
  return new InfluxDB({
    protocol: target.protocol,
    host: target.host,
    port: target.port,
    path: target.path,
    database: target.database,
    ...(target.username !== undefined ? { username: target.username, password: target.password ?? '' } : {}),
    // Fail once and fast: a cron run must not hang on an unreachable server, and the next run retries.
    pool: { maxRetries: 0, requestTimeout: 10_000 },
    schema: [
      { measurement: BOT_MEASUREMENT, tags: [...TAGS], fields: intFields(BOT_FIELDS) },
      { measurement: HOURLY_MEASUREMENT, tags: [...TAGS], fields: intFields(['posts']) },
      ...KIND_MEASUREMENTS.map((m) => ({ measurement: m.name, tags: [...m.tags], fields: intFields(m.fields) })),
    ],
  });
}

/** Writes already collected stats; creates the database first when it is missing. Returns points written. */
export async function writeStatsTo(url: string, stats: FarmStats, kindPts: readonly KindPoint[] = []): Promise<number> {
  const target = parseInfluxUrl(url);
  const client = influxClient(target);
  const points = statsToPoints(stats, kindPts);
  try {
    const names = await client.getDatabaseNames();
    if (!names.includes(target.database)) await client.createDatabase(target.database);
    for (let i = 0; i < points.length; i += BATCH) {
      await client.writePoints(points.slice(i, i + BATCH), { precision: 'ms' });
    }
  } catch (err) {
    throw new OperationalError(`cannot write stats to InfluxDB at ${target.safe}: ${reason(err, target)}`);
  }
  return points.length;
}

/** Collects the farm's stats at `now` and writes them to the InfluxDB at `url`. Returns points written. */
export async function writeStats(farm: Farm, url: string, now = farm.now()): Promise<number> {
  parseInfluxUrl(url); // a bad URL is a usage error before any work
  const stats = await collectStats(farm, now);
  return writeStatsTo(url, stats, await kindPointsOf(farm, stats));
}

/** One short reason, never the credentials. */
function reason(err: unknown, target: InfluxTarget): string {
  const e = err as { code?: string; message?: string };
  let text = e.code && /^E[A-Z]+$/.test(e.code) ? e.code : (e.message ?? String(err)).split('\n')[0]!;
  if (target.password) text = text.split(target.password).join('***');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
