import type { Command } from 'commander';
import { parseCount } from '../../bots/values.js';
import type { Config } from '../../config.js';
import type { TickReport } from '../../farm/tick.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';
import { exitCodeOf } from '../../errors.js';
import { openLog } from '../../log.js';

export interface TickCommandOptions {
  names?: string[];
  force?: boolean;
  dryRun?: boolean;
  concurrency?: string;
  json?: boolean;
}

/** Runs one tick and prints its report; the exit code is 1 when any bot failed. */
export async function run(opts: TickCommandOptions, io: Io, config: Config): Promise<TickReport> {
  const concurrency = opts.concurrency ? parseCount(opts.concurrency, 'concurrency', 1, 256) : undefined;
  const { runTick, warmKinds } = await import('../../farm/tick.js');
  warmKinds();
  const names = opts.names?.length ? opts.names : undefined;
  const report = await logFailure(() => withFarm(config, async (farm) => {
    const r = await runTick(farm, { names, force: opts.force, dryRun: opts.dryRun, concurrency });
    const influx = farm.config.influxUrl;
    if (influx && !opts.dryRun) {
      const { writeStats } = await import('../../metrics/influx.js');
      await writeStats(farm, influx).catch((err: Error) => {
        io.err(`tfctl: stats not written to InfluxDB: ${err.message}\n`);
      });
    }
    return r;
  }));
  if (opts.json) printJson(report, io);
  else {
    for (const b of report.bots) {
      // A bot the operator named gets its line whatever happened, so a skip says why (not due, paused, locked…);
      // in a run over the whole farm (cron's), only bots that did something do.
      if (!names && (b.status === 'skipped' || (b.status === 'idle' && !opts.dryRun))) continue;
      io.out(`${b.name} (${b.role}): ${b.status} - ${b.detail}\n`);
      for (const p of b.posts ?? []) io.out(`  posted ${p.id}: ${p.text}\n`);
      for (const d of b.drafts ?? []) io.out(`  would post: ${d}\n`);
    }
    const s = report.summary;
    io.out(
      `${opts.dryRun ? 'dry run: ' : ''}${s.ran} ran, ${s.posted} posted, ${s.fetched} fetched, ${s.failed} failed, ${s.rate_limited} rate-limited, ${s.skipped} skipped in ${(report.duration_ms / 1000).toFixed(1)}s\n`,
    );
  }
  return report;
}

/**
 * A tick that cannot run at all (Redis down) is also logged, with its time, when the operator asked
 * for info logs, as the cron block does; otherwise the error's one line is all there is.
 */
async function logFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (exitCodeOf(err) === 1) {
      const log = await openLog();
      if (log.isLevelEnabled('info')) log.error({ error: err instanceof Error ? err.message : String(err) }, 'tick failed');
    }
    throw err;
  }
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('tick')
    .description('run every due bot once (sources first, then consumers); exit 1 when any bot failed')
    .argument('[names...]', 'only these bots')
    .option('--force', 'ignore due times')
    .option('--dry-run', 'compose what would be posted, post nothing, change nothing')
    .option('--concurrency <n>', 'bots ticked at once (default 64)')
    .option('--json', 'print the report as JSON')
    .action(async (names: string[], opts: Omit<TickCommandOptions, 'names'>) => {
      const report = await run({ names, ...opts }, ctx.io, ctx.config());
      if (report.summary.failed > 0) process.exitCode = 1;
    });
}
