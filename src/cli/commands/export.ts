import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { withFarm, type CommandContext, type Io } from '../context.js';

export interface ExportOptions {
  file: string;
  withoutSecrets?: boolean;
}

export async function run(opts: ExportOptions, io: Io, config: Config): Promise<void> {
  const { exportFarm } = await import('../../archive/export.js');
  // Big farms take a while: show progress on a terminal, every 1000 keys; keep cron mail clean.
  let shown = 0;
  const progress = io.isTTY
    ? (n: number) => {
        if (n - shown < 1000) return;
        shown = n;
        io.err(`\r${n} keys…`);
      }
    : undefined;
  const manifest = await withFarm(config, (farm) => exportFarm(farm.redis, farm.config.prefix, opts.file, { withoutSecrets: opts.withoutSecrets, onProgress: progress }));
  if (shown) io.err('\n');
  const c = manifest.counts;
  io.out(
    `exported ${c.bots} bots, ${c.keys} keys (${c.stream_entries} cached tweets, ${c.pending} pending) to ${opts.file}${manifest.secrets ? '' : ' without secrets'}\n`,
  );
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('export')
    .description('write every key of the farm to a tar.gz (mode 0600): settings, caches, group positions, posted hashes, counters, TTLs')
    .argument('<file>', 'the archive to write, e.g. farm.tar.gz')
    .option('--without-secrets', 'leave the bots\' token and secret out (they need tfctl auth after import)')
    .action((file: string, opts: { withoutSecrets?: boolean }) => run({ file, ...opts }, ctx.io, ctx.config()));
}
