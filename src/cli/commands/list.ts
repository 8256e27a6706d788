import type { Command } from 'commander';
import { botView, statusOf } from '../../bots/view.js';
import { withFarm } from '../context.js';
import { printJson, printTable, relativeTime } from '../output.js';

export function register(program: Command): void {
  program
    .command('list')
    .description('all bots, one line each')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }) => {
      const now = Date.now();
      const bots = await withFarm((farm) => farm.store.overview());
      if (opts.json) return printJson(bots.map((b) => botView(b, now)));
      if (bots.length === 0) {
        process.stdout.write('no bots yet: create one with tfctl create <name> reader\n');
        return;
      }
      // The table is made from the bots themselves: a thousand views' ISO times would only be parsed back.
      printTable(
        ['NAME', 'ROLE', 'STATUS', 'BACKLOG', 'POSTED', 'LAST ERROR'],
        bots.map((b) => {
          const status = statusOf(b, now);
          return [
            b.name,
            b.role === 'writer' ? `writer<${b.reader}` : b.role,
            status === 'waiting' ? relativeTime(b.nextDueAt, now) : status,
            b.role === 'reader' ? `${b.backlog.cached ?? 0} cached` : `${b.backlog.unprocessed ?? 0} unprocessed`,
            String(b.counters.posted ?? 0),
            b.lastError ?? '',
          ];
        }),
      );
    });
}
