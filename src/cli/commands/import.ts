import type { Command } from 'commander';
import type { Config } from '../../config.js';
import { withFarm, type CommandContext, type Io } from '../context.js';
import { printJson } from '../output.js';

export interface ImportOptions {
  file: string;
  replace?: boolean;
  json?: boolean;
}

export async function run(opts: ImportOptions, io: Io, config: Config): Promise<void> {
  const { importFarm, readArchive } = await import('../../archive/import.js');
  // Validate the archive before connecting: a bad file is a usage error whatever Redis is doing.
  const archive = await readArchive(opts.file);
  const r = await withFarm(config, async (farm) => {
    const result = await importFarm(farm.redis, farm.config.prefix, archive, { replace: opts.replace });
    // The imported bots join the due index (the archive has none: it is derived from their hashes).
    await farm.store.reindex(result.bots);
    return result;
  });
  if (opts.json) {
    printJson({ file: opts.file, bots: r.bots, keys: r.keys, from_prefix: r.fromPrefix, to_prefix: r.toPrefix, replaced: r.replaced, secrets: r.manifest.secrets, created_at: r.manifest.created_at }, io);
  }
  const renamed = r.fromPrefix === r.toPrefix ? '' : ` (prefix ${r.fromPrefix} -> ${r.toPrefix})`;
  const replaced = r.replaced.length ? `, replacing ${r.replaced.join(', ')}` : '';
  if (!opts.json) io.out(`imported ${r.bots.length} bots, ${r.keys} keys from ${opts.file}${renamed}${replaced}\n`);
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
    .option('--json', 'print what was imported as JSON')
    .action((file: string, opts: { replace?: boolean; json?: boolean }) => run({ file, ...opts }, ctx.io, ctx.config()));
}
