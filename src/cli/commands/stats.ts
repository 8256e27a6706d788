import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { withFarm } from '../context.js';
import { printJson, printTable, relativeTime, tableWidth } from '../output.js';

interface StatsOptions {
  json?: boolean;
  influx?: string | false;
  chart?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('stats')
    .description('per-bot figures: backlog, posts (total, last 24h, per hour), errors, rate-limit pauses; optionally to InfluxDB')
    .option('--json', 'print the figures as JSON')
    .option('--influx <url>', 'also write them to InfluxDB 1.x, e.g. http://127.0.0.1:8086/tfctl (default $TFCTL_INFLUX_URL)')
    .option('--no-influx', 'do not write to InfluxDB even when TFCTL_INFLUX_URL is set')
    .option('--chart', 'draw the posts-per-hour chart even when stdout is not a wide terminal')
    .option('--no-chart', 'never draw the chart')
    .option('-q, --quiet', 'print only what was written to InfluxDB (for cron)')
    .action(async (opts: StatsOptions) => {
      const now = Date.now();
      const url = opts.influx === false ? undefined : opts.influx ?? loadConfig().influxUrl;
      // influx is a heavy module: load it only when writing, and check the URL before any work.
      const influx = url ? await import('../../metrics/influx.js') : undefined;
      const target = url && influx ? influx.parseInfluxUrl(url) : undefined;
      const { collectStats } = await import('../../metrics/stats.js');
      const stats = await withFarm((farm) => collectStats(farm, now));
      // The table comes first, so an InfluxDB that is down still leaves the operator the figures.
      if (!opts.json && !opts.quiet) await printHuman(stats, opts.chart, now);
      let written: { url: string; database: string; points: number } | undefined;
      if (url && influx && target) {
        written = { url: target.safe, database: target.database, points: await influx.writeStatsTo(url, stats) };
      }
      if (opts.json) printJson(written ? { ...stats, influx: written } : stats);
      else if (written) process.stdout.write(`influx: ${plural(written.points, 'point')} written to ${written.url}\n`);
    });
}

async function printHuman(stats: import('../../metrics/stats.js').FarmStats, chart: boolean | undefined, now: number): Promise<void> {
  const t = stats.totals;
  if (stats.bots.length === 0) {
    process.stdout.write('no bots yet: create one with tfctl create <name> reader\n');
    return;
  }
  const { barChart, chartFits, sparkline } = await import('../../metrics/chart.js');
  const headers = ['NAME', 'ROLE', 'BACKLOG', 'POSTED', '24H', 'ERRORS', 'RL PAUSES', 'LAST TICK', 'NEXT DUE'];
  const rows = stats.bots.map((b) => [
    b.name,
    b.role === 'writer' ? `writer<${b.reader}` : b.role,
    b.role === 'reader' ? `${b.cached} cached` : `${b.unprocessed} unprocessed`,
    String(b.posted),
    String(b.posted_24h),
    String(b.errors),
    b.paused_until ? `${b.rate_limited} (now, ${relativeTime(Date.parse(b.paused_until), now)})` : String(b.rate_limited),
    b.last_tick_at ? relativeTime(Date.parse(b.last_tick_at), now) : 'never',
    b.status === 'paused' || b.status === 'failing' ? b.status : b.status === 'due' ? 'due' : relativeTime(Date.parse(b.next_due_at!), now),
  ]);
  // One scale for every row's sparkline, so bots compare at a glance.
  const max = Math.max(0, ...stats.bots.map((b) => Math.max(...b.posts_hourly)));
  const withSpark = rows.map((r, i) => [...r, sparkline(stats.bots[i]!.posts_hourly, max)]);
  const sparkHeaders = [...headers, `POSTS/H (${stats.hours.length}H)`];
  const draw = chart ?? chartFits(process.stdout, Math.max(tableWidth(sparkHeaders, withSpark), 2 * stats.hours.length + 8));
  if (draw) printTable(sparkHeaders, withSpark);
  else printTable(headers, rows);
  process.stdout.write(
    `total: ${plural(t.bots, 'bot')} (${plural(t.readers, 'reader')}, ${plural(t.writers, 'writer')}), ${t.cached} cached, ` +
      `${t.unprocessed} unprocessed, ${t.posted} posted, ${t.posted_24h} in the last 24h, ${plural(t.errors, 'error')}, ` +
      `${plural(t.rate_limited, 'rate-limit pause')}\n`,
  );
  if (draw) process.stdout.write(`\n${barChart(t.posts_hourly, stats.hours).join('\n')}\n`);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
