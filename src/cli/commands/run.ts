import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { TickReport } from '../../farm/tick.js';
import { DEFAULT_SCHEDULE, runLoop } from '../../schedule/run.js';
import type { CommandContext, Io } from '../context.js';

export interface RunOptions {
  schedule: string;
}

function summaryLine(r: TickReport): string {
  const s = r.summary;
  return `${r.started_at} ${s.ran} ran, ${s.posted} posted, ${s.fetched} fetched, ${s.failed} failed, ${s.rate_limited} rate-limited, ${s.skipped} skipped in ${(r.duration_ms / 1000).toFixed(1)}s\n`;
}

/** Ticks on the schedule until `signal` aborts, then lets the tick in progress finish. */
export async function run(opts: RunOptions, io: Io, config: Config, signal: AbortSignal): Promise<void> {
  const [{ runTick }, { Farm }] = await Promise.all([import('../../farm/tick.js'), import('../../farm/farm.js')]);
  await runLoop({
    schedule: opts.schedule,
    signal,
    onStart: () => io.err(`tfctl: ticking on "${opts.schedule}"; stop with Ctrl-C or SIGTERM\n`),
    // A connection per tick: a Redis restart between ticks costs one failed tick, not the process.
    tick: async () => {
      const farm = await Farm.open(config);
      try {
        const report = await runTick(farm, {});
        for (const b of report.bots) if (b.status === 'failed') io.err(`tfctl: ${b.name}: ${b.detail}\n`);
        io.out(summaryLine(report));
      } finally {
        await farm.close();
      }
    },
    onError: (err) => io.err(`tfctl: tick failed: ${err instanceof Error ? err.message : String(err)}\n`),
    onOverlap: () => io.err('tfctl: previous tick still running; skipping this one\n'),
  });
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('run')
    .description('stay in the foreground and tick on a schedule (for hosts without cron); SIGINT/SIGTERM finish the tick in progress, then exit')
    .option('--schedule <cron>', 'cron expression; six fields put seconds first', DEFAULT_SCHEDULE)
    .action(async (opts: RunOptions) => {
      const stop = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals === 1) {
          ctx.io.err(`tfctl: ${sig}: finishing the tick in progress, then stopping\n`);
          stop.abort();
        } else {
          ctx.io.err(`tfctl: ${sig} again: stopping now\n`);
          process.exit(1);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await run(opts, ctx.io, ctx.config(), stop.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const { destroyAgents } = await import('../../x/client.js');
      destroyAgents();
    });
}
