/**
 * `tfctl config`: what this environment points tfctl at, whether each service answers, and what is
 * wrong, in one report. Every check runs even after one fails, so a single run shows every problem.
 */
import { hidePassword, readConfig, redisWhere } from '../config.js';
import { exitCodeOf } from '../errors.js';
import { connectRedis } from '../store/connect.js';
import { FarmStore } from '../store/farm-store.js';

const TIMEOUT_MS = 3000;
const REAL_X_API = 'https://api.x.com';

export interface Doctor {
  ok: boolean;
  redis: { url: string; where: string; db: number; cluster: boolean; ok: boolean; version?: string; bots?: number; error?: string };
  prefix: string;
  x_api: { url: string; default: boolean; ok: boolean; status?: number; error?: string };
  app_keys: { consumer_key: 'set' | 'missing'; consumer_secret: 'set' | 'missing' };
  influx: { url: string | null; ok: boolean | null; version?: string; error?: string };
  log_level: string;
  problems: string[];
  /** 0 all well; 2 a setting to fix; 1 a service that does not answer. */
  exit_code: 0 | 1 | 2;
}

export async function diagnose(env: NodeJS.ProcessEnv = process.env): Promise<Doctor> {
  const { config, problems: settings } = readConfig(env);
  const unreachable: string[] = [];
  const redisUrl = hidePassword(config.redisUrl);
  const redisSetting = settings.find((p) => p.startsWith('REDIS_URL'));
  const prefixSetting = settings.some((p) => p.startsWith('TFCTL_PREFIX'));
  const xSetting = settings.find((p) => p.startsWith('TFCTL_X_API'));

  const redis: Doctor['redis'] = { url: redisUrl, where: redisWhere(config.redisUrl, config.redisDb, config.redisCluster), db: config.redisDb, cluster: config.redisCluster, ok: false };
  const checkRedis = async () => {
    if (redisSetting) return void (redis.error = redisSetting);
    try {
      const conn = await connectRedis(config.redisUrl, config.redisCluster);
      try {
        const info = await conn.info('server');
        redis.version = /redis_version:(\S+)/.exec(info)?.[1];
        // Through the store's read of the bots set: a farm from before the farm-wide tag is moved first.
        if (!prefixSetting) redis.bots = (await new FarmStore(conn, config.prefix).members()).length;
        redis.ok = true;
      } finally {
        conn.disconnect();
      }
    } catch (err) {
      redis.error = err instanceof Error ? err.message : String(err);
      (exitCodeOf(err) === 2 ? settings : unreachable).push(redis.error);
    }
  };

  const xUrl = config.xApi ?? REAL_X_API;
  const x: Doctor['x_api'] = { url: hidePassword(xUrl), default: config.xApi === undefined, ok: false };
  const checkX = async () => {
    if (xSetting) return void (x.error = xSetting);
    try {
      // Any HTTP answer will do: without credentials X (and the sandbox) answer 401.
      const res = await fetch(new URL('/2/users/me', xUrl), { signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.arrayBuffer();
      x.status = res.status;
      x.ok = true;
    } catch (err) {
      x.error = `the X API at ${x.url} does not answer: ${reason(err)}`;
      unreachable.push(x.error);
    }
  };

  const influx: Doctor['influx'] = { url: null, ok: null };
  const checkInflux = async () => {
    if (!config.influxUrl) return;
    const { parseInfluxUrl } = await import('../metrics/influx.js');
    let target;
    try {
      target = parseInfluxUrl(config.influxUrl);
    } catch (err) {
      influx.url = hidePassword(config.influxUrl);
      influx.ok = false;
      influx.error = `TFCTL_INFLUX_URL: ${reason(err)}`;
      settings.push(influx.error);
      return;
    }
    influx.url = target.safe;
    try {
      const res = await fetch(`${target.protocol}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}${target.path}/ping`, {
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (res.status !== 204 && res.status !== 200) throw new Error(`HTTP ${res.status} from /ping`);
      influx.version = res.headers.get('x-influxdb-version') ?? undefined;
      influx.ok = true;
    } catch (err) {
      influx.ok = false;
      influx.error = `InfluxDB at ${target.safe} does not answer: ${reason(err)}`;
      unreachable.push(influx.error);
    }
  };

  await Promise.all([checkRedis(), checkX(), checkInflux()]);
  const appKeys: Doctor['app_keys'] = { consumer_key: config.consumerKey ? 'set' : 'missing', consumer_secret: config.consumerSecret ? 'set' : 'missing' };
  for (const [name, state] of [['TFCTL_CONSUMER_KEY', appKeys.consumer_key], ['TFCTL_CONSUMER_SECRET', appKeys.consumer_secret]] as const) {
    if (state === 'missing') settings.push(`${name} is not set: bots cannot call X (tfctl sandbox prints a sandbox's keys)`);
  }
  const logLevel = env.TFCTL_LOG_LEVEL || 'warn';
  const problems = [...settings, ...unreachable];
  return {
    ok: problems.length === 0,
    redis,
    prefix: config.prefix,
    x_api: x,
    app_keys: appKeys,
    influx,
    log_level: logLevel,
    problems,
    exit_code: settings.length ? 2 : unreachable.length ? 1 : 0,
  };
}

function reason(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (err.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}
