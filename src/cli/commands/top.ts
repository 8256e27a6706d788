import type { Command } from 'commander';
import { botName } from '../../bots/bot.js';
import { tracker } from '../../bots/tracker/index.js';
import { formatDuration, parseCount, parseDuration } from '../../bots/values.js';
import type { Config } from '../../config.js';
import { UsageError } from '../../errors.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { columnWidths, printJson } from '../output.js';

export interface TopOptions {
  name: string;
  n?: string;
  window?: string;
  by?: string;
  json?: boolean;
}

export async function run(opts: TopOptions, io: Io, config: Config): Promise<void> {
  const name = botName(opts.name);
  const n = opts.n !== undefined ? parseCount(opts.n, '-n', 1, 1000) : 5;
  const windowS = opts.window !== undefined ? parseDuration(opts.window, 'window') : 900;
  const by = opts.by ?? 'total';
  if (by !== 'total' && by !== 'growth') throw new UsageError(`invalid --by "${by}": use total or growth`);
  const { top } = await import('../../bots/tracker/report.js');
  const { TrackerStore } = await import('../../bots/tracker/store.js');
  const report = await withFarm(config, async (farm) => {
    const bot = await farm.store.require(name);
    if (bot.role !== tracker.name) throw new UsageError(`${name} is a ${bot.role}: top ranks the tweets of a ${tracker.name}`);
    const store = new TrackerStore(farm.redis, farm.store.keys, name);
    const [snaps, tweets, users] = await Promise.all([store.snapshots(), store.tweets(), store.users()]);
    return top(snaps, tweets, users, { n, windowS, by });
  });
  if (!report) {
    if (opts.json) return printJson({ tracker: name, at: null, window: formatDuration(windowS), window_s: windowS, by, tweets: [] }, io);
    io.out(`${name} has no snapshot yet: its first tick takes one (tfctl tick ${name})\n`);
    return;
  }
  if (opts.json) {
    return printJson({ tracker: name, at: new Date(report.at).toISOString(), from: new Date(report.from).toISOString(), window: formatDuration(windowS), window_s: windowS, by, tweets: report.rows }, io);
  }
  const { sparkline } = await import('../../bots/tracker/report.js');
  const spark = io.isTTY === true;
  const headers = ['#', 'RETWEETS', `+${formatDuration(windowS)}`, 'USER', 'TWEET', ...(spark ? ['MINUTES'] : []), 'TEXT'];
  const rows = report.rows.map((r) => [String(r.rank), String(r.retweets), `+${r.growth}`, `@${r.screen_name}`, r.id, ...(spark ? [sparkline(r.per_minute)] : []), r.text]);
  const widths = columnWidths(headers.slice(0, -1), rows.map((r) => r.slice(0, -1)));
  const before = widths.reduce((a, b) => a + b + 2, 0);
  const room = io.columns && io.columns > before + 10 ? io.columns - before : undefined;
  const cut = (t: string) => {
    const chars = Array.from(t);
    return room !== undefined && chars.length > room ? `${chars.slice(0, room - 1).join('')}…` : t;
  };
  const line = (cells: string[]) => cells.slice(0, -1).map((c, i) => c.padEnd(widths[i]!)).join('  ') + '  ' + cut(cells[cells.length - 1]!);
  io.out([`${name} at ${new Date(report.at).toISOString()}, growth since ${new Date(report.from).toISOString()}`, line(headers), ...rows.map(line)].join('\n') + '\n');
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('top')
    .description("the most retweeted of a tracker's tweets: retweets, growth over the window, author, id, text")
    .argument('<tracker>')
    .option('-n <count>', 'how many tweets (default 5)')
    .option('--window <duration>', 'growth over this long, up to the tracker\'s --keep (default 15m)')
    .option('--by <order>', 'rank by total retweets or by growth over the window: total or growth (default total)')
    .option('--json', 'print JSON')
    .action((name: string, opts: Omit<TopOptions, 'name'>) => run({ name, ...opts }, ctx.io, ctx.config()));
}
