import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { collector } from '../../bots/collector/index.js';
import type { Config } from '../../config.js';
import { AuthError, UsageError } from '../../errors.js';
import { Farm } from '../../farm/farm.js';
import type { CommandContext, Io } from '../context.js';

export interface StreamOptions {
  name: string;
  /** Heartbeat interval, as a duration (default 10s). */
  heartbeat?: string;
}

/**
 * `tfctl stream <collector>`: runs a collector on X's filtered stream in the foreground until SIGINT or
 * SIGTERM. Logs one JSON object a line on stderr. Exit 3 when X refuses the app's credentials, so a
 * supervisor (systemd's RestartPreventExitStatus=3) does not keep knocking.
 */
export async function run(opts: StreamOptions, io: Io, config: Config, signals: NodeJS.EventEmitter = process): Promise<void> {
  const name = botName(opts.name);
  const { parseDuration } = await import('../../bots/values.js');
  const heartbeatMs = opts.heartbeat ? parseDuration(opts.heartbeat, 'heartbeat') * 1000 : 10_000;
  if (!config.consumerKey || !config.consumerSecret) throw new UsageError('tfctl stream needs the app keys: set TFCTL_CONSUMER_KEY and TFCTL_CONSUMER_SECRET');
  const farm = await Farm.open(config);
  const log = (event: string, fields: Record<string, unknown> = {}) => io.err(`${JSON.stringify({ time: new Date().toISOString(), bot: name, event, ...fields })}\n`);
  let release: () => void = () => {};
  const stopped = new Promise<void>((r) => (release = r));
  const onSignal = (sig: string) => {
    log('stopping', { signal: sig });
    release();
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    const bot = await farm.store.require(name);
    if (bot.role !== collector.name) throw new UsageError(`${name} is a ${bot.role}; tfctl stream runs collectors`);
    const [{ runStream }, { createXClient }, { ApiResponseError }] = await Promise.all([import('../../bots/collector/stream.js'), import('../../x/client.js'), import('twitter-api-v2')]);
    const key = farm.store.keys.appBearer();
    let bearer = await farm.redis.get(key);
    const xOpts = { apiBase: config.xApi, appKey: config.consumerKey, appSecret: config.consumerSecret };
    if (!bearer) {
      try {
        const app = await createXClient(xOpts).appLogin();
        const tokens = app.getActiveTokens();
        if (tokens.type !== 'oauth2') throw new Error('appLogin gave no bearer token');
        bearer = tokens.bearerToken;
      } catch (err) {
        if (err instanceof ApiResponseError && (err.code === 401 || err.code === 403)) throw new AuthError(`X refused the app's keys (${err.code}): check TFCTL_CONSUMER_KEY and TFCTL_CONSUMER_SECRET`);
        throw err;
      }
      await farm.redis.set(key, bearer);
      log('bearer_token', { cached: true });
    }
    const client = createXClient({ ...xOpts, bearerToken: bearer });
    try {
      await runStream({ redis: farm.redis, keys: farm.store.keys, bot, client, now: () => farm.now(), log, heartbeatMs, stopped });
    } catch (err) {
      // A refused bearer token is dropped, so the next start asks X for a new one.
      if (err instanceof AuthError || (err as { exitCode?: number }).exitCode === 3) await farm.redis.del(key);
      throw err;
    }
    log('stopped');
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
    await farm.close();
    const { destroyAgents } = await import('../../x/client.js');
    destroyAgents();
  }
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('stream')
    .description("run a collector on X's filtered stream in the foreground (exit 3 when X refuses the app's credentials)")
    .argument('<collector>')
    .option('--heartbeat <duration>', 'how often it writes its heartbeat key (which lives 1.5 times as long)', '10s')
    .action((name: string, opts: Omit<StreamOptions, 'name'>) => run({ name, ...opts }, ctx.io, ctx.config()));
}
