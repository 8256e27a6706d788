import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { withFarm, type CommandContext, type Io } from '../context.js';

export interface ImportOptions {
  file: string;
  replace?: boolean;
}

export async function run(opts: ImportOptions, io: Io, config: Config): Promise<void> {
  const { importFarm, readArchive } = await import('../../archive/import.js');
  // Validate the archive before connecting: a bad file is a usage error whatever Redis is doing.
  const archive = await readArchive(opts.file);
  const r = await withFarm(config, (farm) => importFarm(farm.redis, farm.config.prefix, archive, { replace: opts.replace }));
  const renamed = r.fromPrefix === r.toPrefix ? '' : ` (prefix ${r.fromPrefix} -> ${r.toPrefix})`;
  const replaced = r.replaced.length ? `, replacing ${r.replaced.join(', ')}` : '';
  io.out(`imported ${r.bots.length} bots, ${r.keys} keys from ${opts.file}${renamed}${replaced}\n`);
  if (!r.manifest.secrets && r.bots.length) {
    io.err(`tfctl: this archive was made without secrets: run tfctl auth NAME for each bot (${r.bots.join(', ')})\n`);
  }
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('import')
    .description('restore a farm archive into this farm (TFCTL_PREFIX; the archive\'s own prefix is rewritten to it), all or nothing')
    .argument('<file>', 'an archive written by tfctl export')
    .option('--replace', 'let the archive\'s bots replace existing bots of the same names')
    .action((file: string, opts: { replace?: boolean }) => run({ file, ...opts }, ctx.io, ctx.config()));
}
