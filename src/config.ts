import { UsageError } from './errors.js';
import { LOG_LEVELS, logLevel } from './log.js';

/** Configuration comes from the environment only; this is the one place that reads it. */
export interface Config {
  redisUrl: string;
  /** The database REDIS_URL selects (its path, or ?db= for a socket). */
  redisDb: number;
  /** TFCTL_REDIS_CLUSTER=1: REDIS_URL names one node (the seed) of a Redis Cluster (store/connect.ts). */
  redisCluster: boolean;
  prefix: string;
  xApi: string | undefined;
  consumerKey: string | undefined;
  consumerSecret: string | undefined;
  influxUrl: string | undefined;
  /** TFCTL_CLOCK: `system` (default) or `sandbox` (follow the X API sandbox's clock, for rehearsals). */
  clock: string | undefined;
  debug: boolean;
  /** How long a bot's tick lock lives unless renewed: a crashed run's bots are free again after it. */
  lockTtlMs: number;
  /** How long one X request may take; a POST unanswered by then may still land, so recovery waits this long too. */
  xTimeoutMs: number;
  /** An access token and secret for create and set, kept off the command line (TFCTL_TOKEN, TFCTL_TOKEN_SECRET). */
  token: string | undefined;
  tokenSecret: string | undefined;
  /** Crash tests only: where a tick kills itself (name[:nth]). */
  failpoint: string | undefined;
  /** TFCTL_WEBHOOK_URL: receives every farm event as a JSON POST (src/events/webhook.ts). */
  webhookUrl?: string | undefined;
  /** TFCTL_WEBHOOK_BUDGET_MS: how long a tick may spend delivering events after its bots ran (default 3 s). */
  webhookBudgetMs?: number;
  /** TFCTL_BACKLOG_ALERT: a consumer's unprocessed tweets above this are a `backlog` event (default 1000). */
  backlogAlert?: number;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';
export const DEFAULT_PREFIX = 'tf';

/** The configuration and every setting that is wrong with it, in words an operator can act on. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): { config: Config; problems: string[] } {
  const problems: string[] = [];
  const redisUrl = env.REDIS_URL || DEFAULT_REDIS_URL;
  const redisCluster = env.TFCTL_REDIS_CLUSTER === '1' || env.TFCTL_REDIS_CLUSTER === 'true';
  // A cluster's REDIS_URL may name several seed nodes; each must be a URL a cluster can take.
  const seeds = redisCluster ? seedUrls(redisUrl) : [redisUrl];
  const db = redisDatabase(seeds[0]!);
  const wrongSeed = seeds.map((s) => {
    const d = redisDatabase(s);
    return typeof d === 'string' ? d : redisCluster ? clusterProblem(s, d) : null;
  });
  const wrongUrl = wrongSeed.find((w) => w !== null);
  if (wrongUrl) problems.push(wrongUrl);
  const prefix = env.TFCTL_PREFIX || DEFAULT_PREFIX;
  // Braces would break the per-bot hash tags, and : * ? [ the farm's SCAN pattern.
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) problems.push(`TFCTL_PREFIX "${prefix}" may hold only letters, digits, _ . and - (1 to 64)`);
  const xApi = env.TFCTL_X_API || undefined;
  if (xApi !== undefined) {
    const wrong = originProblem(xApi);
    if (wrong) problems.push(`TFCTL_X_API must be an http(s) origin such as https://api.x.com or http://127.0.0.1:8787, got "${hidePassword(xApi)}" (${wrong})`);
  }
  const webhookUrl = env.TFCTL_WEBHOOK_URL || undefined;
  if (webhookUrl !== undefined && !/^https?:\/\/[^\s/]/.test(webhookUrl)) problems.push('TFCTL_WEBHOOK_URL must be an http(s) URL');
  const level = logLevel(env);
  if (!(LOG_LEVELS as readonly string[]).includes(level)) problems.push(`TFCTL_LOG_LEVEL "${level}" is not a level: use ${LOG_LEVELS.join(', ')}`);
  const config: Config = {
    redisUrl,
    redisDb: typeof db === 'number' ? db : 0,
    redisCluster,
    prefix,
    xApi,
    consumerKey: env.TFCTL_CONSUMER_KEY || undefined,
    consumerSecret: env.TFCTL_CONSUMER_SECRET || undefined,
    influxUrl: env.TFCTL_INFLUX_URL || undefined,
    clock: env.TFCTL_CLOCK || undefined,
    debug: env.TFCTL_DEBUG === '1' || env.TFCTL_DEBUG === 'true',
    lockTtlMs: millis(env.TFCTL_LOCK_TTL_MS, 120_000),
    xTimeoutMs: millis(env.TFCTL_X_TIMEOUT_MS, 30_000),
    failpoint: env.TFCTL_FAILPOINT || undefined,
    token: env.TFCTL_TOKEN || undefined,
    tokenSecret: env.TFCTL_TOKEN_SECRET || undefined,
    webhookUrl,
    webhookBudgetMs: millis(env.TFCTL_WEBHOOK_BUDGET_MS, 3000),
    backlogAlert: Number.isInteger(Number(env.TFCTL_BACKLOG_ALERT)) && Number(env.TFCTL_BACKLOG_ALERT) > 0 ? Number(env.TFCTL_BACKLOG_ALERT) : 1000,
  };
  return { config, problems };
}

/** The configuration, checked before anything runs: a bad setting is a usage error (exit 2). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { config, problems } = readConfig(env);
  if (problems.length > 0) throw new UsageError(problems[0]!);
  return config;
}

/**
 * The database number REDIS_URL selects, or what is wrong with the URL. ioredis would take any path
 * and, when SELECT fails, carry on in database 0: the farm would land in the wrong place unnoticed.
 */
export function redisDatabase(url: string): number | string {
  const usage = 'use redis://[:password@]host[:port][/db], rediss://… or a socket path';
  let dbText: string;
  if (url.startsWith('/')) {
    dbText = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '').get('db') ?? '0';
  } else {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `REDIS_URL "${hidePassword(url)}" is not a URL: ${usage}`;
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return `REDIS_URL "${hidePassword(url)}" is not a Redis URL: ${usage}`;
    if (!u.hostname) return `REDIS_URL "${hidePassword(url)}" names no host: ${usage}`;
    dbText = u.pathname.replace(/^\//, '') || u.searchParams.get('db') || '0';
  }
  if (!/^\d{1,9}$/.test(dbText)) return `REDIS_URL selects database "${dbText}", which is not a database number (0, 1, 2 …)`;
  return Number(dbText);
}

/**
 * A cluster's REDIS_URL may name several seed nodes, so that a client starting while one is down still
 * finds the cluster: `redis://[:password@]host:port,host:port…`. Each as a URL of its own, with the
 * first one's scheme, login and path; any other URL comes back alone.
 */
export function seedUrls(url: string): string[] {
  const m = /^([a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?)([^/?#]*)(.*)$/i.exec(url);
  if (!m || !m[2]!.includes(',')) return [url];
  return m[2]!.split(',').map((host) => `${m[1]}${host.trim()}${m[3]}`);
}

/**
 * What keeps REDIS_URL from naming a Redis Cluster's seed node, or null: a cluster has only database 0,
 * and its client connects to host:port (a socket path cannot lead to the other nodes).
 */
export function clusterProblem(url: string, db: number): string | null {
  if (url.startsWith('/')) return `REDIS_URL "${hidePassword(url)}" is a socket path, but TFCTL_REDIS_CLUSTER=1 needs one node's redis://host:port`;
  if (db !== 0) return `REDIS_URL selects database ${db}, but a Redis Cluster has only database 0 (TFCTL_REDIS_CLUSTER=1): drop /${db} from the URL`;
  return null;
}

/** Why a URL is not a bare http(s) origin, or null when it is one. */
function originProblem(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${u.protocol.replace(/:$/, '')} is not http or https`;
  if (u.username || u.password) return 'credentials do not belong in it';
  if (u.pathname !== '/' || u.search || u.hash) return 'no path: tfctl adds /2/… itself';
  return null;
}

/** A whole number of milliseconds from the environment (tuning knobs; the harness shortens them). */
function millis(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n >= 100 ? n : fallback;
}

/**
 * A configured URL as messages and listings may show it: any password as ***, otherwise exactly as
 * given. Text that is not a URL comes back unchanged.
 */
export function hidePassword(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.toString();
  } catch {
    // Not one URL (a cluster's several seeds): mask what stands where a password would.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
  }
}

/** Where a farm lives, for headers: host:port/db (or the socket path), or `cluster host:port` for a cluster's seed; no credentials. */
export function redisWhere(url: string, db: number, cluster = false): string {
  if (url.startsWith('/')) return `${url.split('?')[0]}/${db}`;
  if (cluster) {
    try {
      return `cluster ${seedUrls(url).map((s) => `${new URL(s).hostname}:${new URL(s).port || 6379}`).join(',')}`;
    } catch {
      return hidePassword(url);
    }
  }
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}/${db}`;
  } catch {
    return hidePassword(url);
  }
}
