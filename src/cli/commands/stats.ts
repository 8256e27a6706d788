import type { Command } from 'commander';
import { BACKLOG_LABELS, KINDS } from '../../bots/index.js';
import { backlogLabel, roleLabel } from '../../bots/view.js';
import type { Config } from '../../config.js';
import type { FarmStats } from '../../metrics/stats.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { farmHeader, fitProse, printJson, printTable, relativeTime, tableWidth } from '../output.js';

export interface StatsOptions {
  json?: boolean;
  influx?: string | false;
  chart?: boolean;
  quiet?: boolean;
}

export async function run(opts: StatsOptions, io: Io, config: Config): Promise<void> {
  const url = opts.influx === false ? undefined : opts.influx ?? config.influxUrl;
  // influx is a heavy module: load it only when writing, and check the URL before any work.
  const influx = url ? await import('../../metrics/influx.js') : undefined;
  const target = url && influx ? influx.parseInfluxUrl(url) : undefined;
  const { collectStats } = await import('../../metrics/stats.js');
  const lines = new Map<string, string>();
  const { stats, points } = await withFarm(config, async (farm) => {
    const stats = await collectStats(farm, farm.now(), { lines });
    return { stats, points: influx ? await influx.kindPointsOf(farm, stats) : [] };
  });
  const now = Date.parse(stats.at);
  // The table comes first, so an InfluxDB that is down still leaves the operator the figures.
  if (!opts.json && !opts.quiet) {
    io.out(`${farmHeader(config)}\n`);
    await printHuman(stats, opts.chart, now, io, lines);
  }
  let written: { url: string; database: string; points: number } | undefined;
  if (url && influx && target) {
    written = { url: target.safe, database: target.database, points: await influx.writeStatsTo(url, stats, points) };
  }
  if (opts.json) printJson(written ? { ...stats, influx: written } : stats, io);
  // Quiet is for cron's log: the line says when.
  else if (written) io.out(`${opts.quiet ? `${stats.at} ` : ''}influx: ${plural(written.points, 'point')} written to ${written.url}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('stats')
    .description('per-bot figures: backlog, posts (total, last 24h, per hour), errors, rate-limit pauses; optionally to InfluxDB')
    .option('--json', 'print the figures as JSON')
    .option('--influx <url>', 'also write them to InfluxDB 1.x, e.g. http://127.0.0.1:8086/tfctl (default $TFCTL_INFLUX_URL)')
    .option('--no-influx', 'do not write to InfluxDB even when TFCTL_INFLUX_URL is set')
    .option('--chart', 'draw the posts-per-hour chart even when stdout is not a wide terminal')
    .option('--no-chart', 'never draw the chart')
    .option('-q, --quiet', 'print only what was written to InfluxDB (for cron)')
    .action((opts: StatsOptions) => run(opts, ctx.io, ctx.config()));
}

async function printHuman(stats: FarmStats, chart: boolean | undefined, now: number, io: Io, lines: Map<string, string>): Promise<void> {
  const t = stats.totals;
  if (stats.bots.length === 0) {
    io.out('no bots yet: create one with tfctl create <name> reader\n');
    return;
  }
  const { barChart, chartFits, sparkline } = await import('../../metrics/chart.js');
  const headers = ['NAME', 'ROLE', 'BACKLOG', 'POSTED', '24H', 'ERRORS', 'RL PAUSES', 'LAST TICK', 'NEXT DUE'];
  const rows = stats.bots.map((b) => [
    b.name,
    roleLabel({ role: b.role, ...(b.reader ? { source: b.reader } : {}) }),
    `${b.backlog} ${backlogLabel(b.role)}`,
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
  const draw = chart ?? chartFits(io, Math.max(tableWidth(sparkHeaders, withSpark), 2 * stats.hours.length + 8));
  // On a narrow terminal the role column (writer<reader names) gives way first.
  if (draw) printTable(sparkHeaders, withSpark, io, { cut: 1 });
  else printTable(headers, rows, io, { cut: 1 });
  const kinds = KINDS.map((k) => plural(Number(t[k.plural] ?? 0), k.name)).join(', ');
  const backlogs = BACKLOG_LABELS.map((l) => `${t[l] ?? 0} ${l}, `).join('');
  const total =
    `total: ${plural(t.bots, 'bot')} (${kinds}), ${backlogs}${t.posted} posted, ${t.posted_24h} in the last 24h, ` +
    `${plural(Number(t.errors), 'error')}, ${plural(Number(t.rate_limited), 'rate-limit pause')}`;
  io.out(`${fitProse(total, io)}\n`);
  // What kinds add of their own (a collector's rule hits and stream), a line per bot.
  for (const [name, line] of lines) io.out(`${name}: ${line}\n`);
  if (draw) io.out(`\n${barChart(t.posts_hourly, stats.hours).join('\n')}\n`);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
