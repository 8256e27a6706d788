import type { Command } from 'commander';
import { withFarm } from '../context.js';

export function register(program: Command): void {
  program
    .command('export')
    .description('write every key of the farm to a tar.gz (mode 0600): settings, caches, group positions, posted hashes, counters, TTLs')
    .argument('<file>', 'the archive to write, e.g. farm.tar.gz')
    .option('--without-secrets', 'leave the bots\' token and secret out (they need tfctl auth after import)')
    .action(async (file: string, opts: { withoutSecrets?: boolean }) => {
      const { exportFarm } = await import('../../archive/export.js');
      // Big farms take a while: show progress on a terminal, every 1000 keys; keep cron mail clean.
      let shown = 0;
      const progress = process.stderr.isTTY
        ? (n: number) => {
            if (n - shown < 1000) return;
            shown = n;
            process.stderr.write(`\r${n} keys…`);
          }
        : undefined;
      const manifest = await withFarm((farm) => exportFarm(farm.redis, farm.config.prefix, file, { withoutSecrets: opts.withoutSecrets, onProgress: progress }));
      if (shown) process.stderr.write('\n');
      const c = manifest.counts;
      process.stdout.write(
        `exported ${c.bots} bots, ${c.keys} keys (${c.stream_entries} cached tweets, ${c.pending} pending) to ${file}${manifest.secrets ? '' : ' without secrets'}\n`,
      );
    });
}
