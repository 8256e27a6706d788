import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { kindRows } from '../../bots/figures.js';
import { kindOf } from '../../bots/index.js';
import { backlogLabel, botView, roleLabel, statusOf } from '../../bots/view.js';
import { Farm } from '../../farm/farm.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { farmHeader, printJson, printTable, relativeTime } from '../output.js';

export interface ListOptions {
  json?: boolean;
}

export async function run(opts: ListOptions, io: Io, config: Config): Promise<void> {
  // A listing reads once: Farm.openListing spares a cold start loading the Redis client writers need.
  const listing = await Farm.openListing(config);
  const [bots, now] = await listing.overview().finally(() => listing.close()).then((b) => [b, listing.now()] as const);
  // The kinds' own figures (a collector's rule hits and stream heartbeat), one pipeline per such kind:
  // only a farm with such bots opens the full client for them.
  const extra = bots.some((b) => kindOf(b.role)?.figures?.rows)
    ? await withFarm(config, (farm) => kindRows(bots, { redis: farm.redis, store: farm.store, now: () => now }))
    : new Map<string, { fields: Record<string, unknown>; line?: string }>();
  if (opts.json) return printJson(bots.map((b) => ({ ...botView(b, now), ...extra.get(b.name)?.fields })), io);
  io.out(`${farmHeader(config)}\n`);
  if (bots.length === 0) {
    io.out('no bots yet: create one with tfctl create <name> reader\n');
    return;
  }
  // The table is made from the bots themselves: a thousand views' ISO times would only be parsed back.
  printTable(
    ['NAME', 'ROLE', 'STATUS', 'BACKLOG', 'POSTED', 'LAST ERROR'],
    bots.map((b) => {
      const status = statusOf(b, now);
      return [
        b.name,
        roleLabel(b),
        status === 'waiting' ? relativeTime(b.nextDueAt, now) : status,
        `${b.backlog} ${backlogLabel(b.role)}`,
        String(b.counters.posted ?? 0),
        b.lastError ?? '',
      ];
    }),
    io,
    { cut: 5 },
  );
  for (const [name, row] of extra) if (row.line) io.out(`${name}: ${row.line}\n`);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('list')
    .description('all bots, one line each')
    .option('--json', 'print a JSON array')
    .action((opts: ListOptions) => run(opts, ctx.io, ctx.config()));
}
