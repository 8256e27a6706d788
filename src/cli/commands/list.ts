import type { Command } from 'commander';
import { botView } from '../../farm/view.js';
import { withFarm } from '../context.js';
import { printJson, printTable, relativeTime } from '../output.js';

export function register(program: Command): void {
  program
    .command('list')
    .description('all bots, one line each')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }) => {
      const now = Date.now();
      const views = await withFarm(async (farm) => {
        const { bots, backlogs } = await farm.store.overview();
        return bots.map((b) => botView(b, backlogs.get(b.name), now));
      });
      if (opts.json) return printJson(views);
      if (views.length === 0) {
        process.stdout.write('no bots yet: create one with tfctl create <name> reader\n');
        return;
      }
      printTable(
        ['NAME', 'ROLE', 'STATUS', 'BACKLOG', 'POSTED', 'LAST ERROR'],
        views.map((v) => [
          v.name,
          v.role === 'writer' ? `writer<${v.reader}` : v.role,
          v.status === 'waiting' ? relativeTime(Date.parse(v.next_due_at!), now) : v.status,
          v.role === 'reader' ? `${v.cached} cached` : `${v.unprocessed} unprocessed`,
          String(v.posted),
          v.last_error ?? '',
        ]),
      );
    });
}
