import type { Command } from 'commander';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PREFIX, type Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import type { CommandContext, Io } from '../context.js';
import { printJson } from '../output.js';

export interface CronOptions {
  install?: boolean;
  remove?: boolean;
  json?: boolean;
  /** A daily `tfctl backup DIR` line in the block, keeping `backupKeep` archives. */
  backup?: string;
  backupKeep?: string;
}

export async function run(opts: CronOptions, io: Io, config: Config): Promise<void> {
  if (opts.install && opts.remove) throw new UsageError('use either --install or --remove, not both');
  // Loaded here, not at start-up: every command's module is read, and only cron needs these.
  const [crontab, { homedir }] = await Promise.all([import('../../schedule/crontab.js'), import('node:os')]);
  const plan = cronPlan(homedir(), config);
  if (opts.backupKeep !== undefined && !opts.backup) throw new UsageError('--backup-keep goes with --backup DIR');
  if (opts.backup) {
    const [{ resolve }, { parseCount }, { DEFAULT_KEEP }] = await Promise.all([import('node:path'), import('../../bots/values.js'), import('./backup.js')]);
    plan.backup = { dir: resolve(opts.backup), keep: opts.backupKeep === undefined ? DEFAULT_KEEP : parseCount(opts.backupKeep, '--backup-keep', 1, 10_000) };
  }

  if (opts.remove) {
    const { text, removed } = crontab.removeBlock(await crontab.readCrontab(), plan.prefix);
    if (removed > 0) await crontab.writeCrontab(text);
    if (opts.json) return printJson({ action: removed ? 'removed' : 'none', prefix: plan.prefix, env_file: plan.envFile }, io);
    if (removed === 0) {
      io.out(`no tfctl block for prefix "${plan.prefix}" in the crontab: nothing to remove\n`);
      return;
    }
    io.out(`removed the tfctl block for prefix "${plan.prefix}" from the crontab (${plan.envFile} is kept)\n`);
    return;
  }

  const block = crontab.buildBlock(plan);
  if (!opts.install) {
    if (opts.json) return printJson({ action: 'print', prefix: plan.prefix, env_file: plan.envFile, log_dir: plan.logDir, block }, io);
    io.out(block);
    return;
  }
  if (!plan.env.TFCTL_CONSUMER_KEY || !plan.env.TFCTL_CONSUMER_SECRET) {
    io.err('tfctl: warning: TFCTL_CONSUMER_KEY/TFCTL_CONSUMER_SECRET are not set: ticks will not be able to call X\n');
  }
  crontab.writeEnvFile(plan.envFile, crontab.envFileText(plan));
  if (plan.logrotate) crontab.writeEnvFile(crontab.logrotateConf(plan), crontab.logrotateText(plan));
  mkdirSync(plan.logDir, { recursive: true, mode: 0o700 });
  const before = await crontab.readCrontab();
  const after = crontab.upsertBlock(before, block, plan.prefix);
  if (after !== before) await crontab.writeCrontab(after);
  const jobs = plan.env.TFCTL_INFLUX_URL ? 'tick every minute, stats every 10 minutes' : 'tick every minute';
  if (opts.json) return printJson({ action: after === before ? 'unchanged' : 'installed', prefix: plan.prefix, env_file: plan.envFile, log_dir: plan.logDir, block }, io);
  io.out(
    `${after === before ? 'the crontab already has' : 'installed'} the tfctl block for prefix "${plan.prefix}" (${jobs}); ` +
      `environment in ${plan.envFile} (mode 0600), logs in ${plan.logDir}\n`,
  );
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('cron')
    .description("print the farm's crontab block (tick every minute, stats every 10 minutes with TFCTL_INFLUX_URL), or install or remove it")
    .option('--install', "write the env file and put the block in this user's crontab (idempotent; other entries kept)")
    .option('--remove', "take the block out of this user's crontab (other entries kept)")
    .option('--json', 'print what was done (and the block) as JSON')
    .option('--backup <dir>', 'add a daily tfctl backup DIR line to the block (at 03:23)')
    .option('--backup-keep <n>', 'backups the daily line keeps (default 14)')
    .action((opts: CronOptions) => run(opts, ctx.io, ctx.config()));
}

/** Where this user's farm files go: XDG directories, one subdirectory per non-default prefix. */
function cronPlan(home: string, config: Config): import('../../schedule/crontab.js').CronPlan {
  const sub = config.prefix === DEFAULT_PREFIX ? '' : config.prefix;
  const configDir = join(process.env.XDG_CONFIG_HOME || join(home, '.config'), 'tfctl', sub);
  const stateDir = join(process.env.XDG_STATE_HOME || join(home, '.local', 'state'), 'tfctl', sub);
  const flock = ['/usr/bin/flock', '/bin/flock'].find((p) => existsSync(p));
  const logrotate = ['/usr/sbin/logrotate', '/sbin/logrotate'].find((p) => existsSync(p));
  return {
    prefix: config.prefix,
    node: process.execPath,
    bin: tfctlBin(),
    envFile: join(configDir, 'env'),
    logDir: stateDir,
    ...(flock ? { flock, lockDir: stateDir } : {}),
    ...(logrotate ? { logrotate } : {}),
    env: {
      REDIS_URL: config.redisUrl,
      TFCTL_REDIS_CLUSTER: config.redisCluster ? '1' : undefined,
      TFCTL_PREFIX: config.prefix,
      TFCTL_X_API: config.xApi,
      TFCTL_CONSUMER_KEY: config.consumerKey,
      TFCTL_CONSUMER_SECRET: config.consumerSecret,
      TFCTL_INFLUX_URL: config.influxUrl,
      TFCTL_LOG_LEVEL: process.env.TFCTL_LOG_LEVEL || undefined,
    },
  };
}

/**
 * The package's own bin/tfctl, symlinks resolved, so cron runs this very install. Found by walking up
 * from this module: it sits at a different depth in dist/ and in the bundle.
 */
function tfctlBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    const own = join(dir, 'bin', 'tfctl');
    if (existsSync(own)) return realpathSync(own);
  }
  return realpathSync(process.argv[1] ?? 'tfctl');
}
