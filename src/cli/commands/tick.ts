import type { Command } from 'commander';
import { parseCount } from '../../bots/values.js';
import { withFarm } from '../context.js';
import { printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('tick')
    .description('run every due bot once (readers first); exit 1 when any bot failed')
    .argument('[names...]', 'only these bots')
    .option('--force', 'ignore due times')
    .option('--dry-run', 'compose what writers would post, post nothing, change nothing')
    .option('--concurrency <n>', 'bots ticked at once (default 16)')
    .option('--json', 'print the report as JSON')
    .action(async (names: string[], opts: { force?: boolean; dryRun?: boolean; concurrency?: string; json?: boolean }) => {
      const concurrency = opts.concurrency ? parseCount(opts.concurrency, 'concurrency', 1, 256) : undefined;
      const { runTick } = await import('../../farm/tick.js');
      const report = await withFarm(async (farm) => {
        const r = await runTick(farm, { names: names.length ? names : undefined, force: opts.force, dryRun: opts.dryRun, concurrency });
        const influx = farm.config.influxUrl;
        if (influx && !opts.dryRun) {
          const { writeStats } = await import('../../metrics/influx.js');
          await writeStats(farm, influx).catch((err: Error) => {
            process.stderr.write(`tfctl: stats not written to InfluxDB: ${err.message}\n`);
          });
        }
        return r;
      });
      if (opts.json) printJson(report);
      else {
        for (const b of report.bots) {
          if (b.status === 'skipped' || (b.status === 'idle' && !opts.dryRun)) continue;
          process.stdout.write(`${b.name} (${b.role}): ${b.status} - ${b.detail}\n`);
          for (const p of b.posts ?? []) process.stdout.write(`  posted ${p.id}: ${p.text}\n`);
          for (const d of b.drafts ?? []) process.stdout.write(`  would post: ${d}\n`);
        }
        const s = report.summary;
        process.stdout.write(
          `${opts.dryRun ? 'dry run: ' : ''}${s.ran} ran, ${s.posted} posted, ${s.fetched} fetched, ${s.failed} failed, ${s.rate_limited} rate-limited, ${s.skipped} skipped in ${(report.duration_ms / 1000).toFixed(1)}s\n`,
        );
      }
      if (report.summary.failed > 0) process.exitCode = 1;
    });
}
