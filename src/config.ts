/** Configuration comes from the environment only; this is the one place that reads it. */
export interface Config {
  redisUrl: string;
  prefix: string;
  xApi: string | undefined;
  consumerKey: string | undefined;
  consumerSecret: string | undefined;
  influxUrl: string | undefined;
  /** TFCTL_CLOCK: `system` (default) or `sandbox` (follow the X API sandbox's clock, for rehearsals). */
  clock: string | undefined;
  debug: boolean;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';
export const DEFAULT_PREFIX = 'tf';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
    prefix: env.TFCTL_PREFIX || DEFAULT_PREFIX,
    xApi: env.TFCTL_X_API || undefined,
    consumerKey: env.TFCTL_CONSUMER_KEY || undefined,
    consumerSecret: env.TFCTL_CONSUMER_SECRET || undefined,
    influxUrl: env.TFCTL_INFLUX_URL || undefined,
    clock: env.TFCTL_CLOCK || undefined,
    debug: env.TFCTL_DEBUG === '1' || env.TFCTL_DEBUG === 'true',
  };
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
    return url;
  }
}
