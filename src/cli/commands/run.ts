import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { DEFAULT_SCHEDULE, runLoop } from '../../schedule/run.js';
import type { TickReport } from '../../farm/tick.js';

function summaryLine(r: TickReport): string {
  const s = r.summary;
  return `${r.started_at} ${s.ran} ran, ${s.posted} posted, ${s.fetched} fetched, ${s.failed} failed, ${s.rate_limited} rate-limited, ${s.skipped} skipped in ${(r.duration_ms / 1000).toFixed(1)}s\n`;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('stay in the foreground and tick on a schedule (for hosts without cron); SIGINT/SIGTERM finish the tick in progress, then exit')
    .option('--schedule <cron>', 'cron expression; six fields put seconds first', DEFAULT_SCHEDULE)
    .action(async (opts: { schedule: string }) => {
      const [{ runTick }, { Farm }] = await Promise.all([import('../../farm/tick.js'), import('../../farm/farm.js')]);
      const config = loadConfig();
      const stop = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals === 1) {
          process.stderr.write(`tfctl: ${sig}: finishing the tick in progress, then stopping\n`);
          stop.abort();
        } else {
          process.stderr.write(`tfctl: ${sig} again: stopping now\n`);
          process.exit(1);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await runLoop({
          schedule: opts.schedule,
          signal: stop.signal,
          onStart: () => process.stderr.write(`tfctl: ticking on "${opts.schedule}"; stop with Ctrl-C or SIGTERM\n`),
          // A connection per tick: a Redis restart between ticks costs one failed tick, not the process.
          tick: async () => {
            const farm = await Farm.open(config);
            try {
              const report = await runTick(farm, {});
              for (const b of report.bots) if (b.status === 'failed') process.stderr.write(`tfctl: ${b.name}: ${b.detail}\n`);
              process.stdout.write(summaryLine(report));
            } finally {
              await farm.close();
            }
          },
          onError: (err) => process.stderr.write(`tfctl: tick failed: ${err instanceof Error ? err.message : String(err)}\n`),
          onOverlap: () => process.stderr.write('tfctl: previous tick still running; skipping this one\n'),
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const { destroyAgents } = await import('../../x/client.js');
      destroyAgents();
    });
}
