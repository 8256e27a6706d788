import type { Command } from 'commander';
import { withFarm } from '../context.js';

export function register(program: Command): void {
  program
    .command('import')
    .description('restore a farm archive into this farm (TFCTL_PREFIX; the archive\'s own prefix is rewritten to it), all or nothing')
    .argument('<file>', 'an archive written by tfctl export')
    .option('--replace', 'let the archive\'s bots replace existing bots of the same names')
    .action(async (file: string, opts: { replace?: boolean }) => {
      const { importFarm, readArchive } = await import('../../archive/import.js');
      // Validate the archive before connecting: a bad file is a usage error whatever Redis is doing.
      const archive = await readArchive(file);
      const r = await withFarm((farm) => importFarm(farm.redis, farm.config.prefix, archive, { replace: opts.replace }));
      const renamed = r.fromPrefix === r.toPrefix ? '' : ` (prefix ${r.fromPrefix} -> ${r.toPrefix})`;
      const replaced = r.replaced.length ? `, replacing ${r.replaced.join(', ')}` : '';
      process.stdout.write(`imported ${r.bots.length} bots, ${r.keys} keys from ${file}${renamed}${replaced}\n`);
      if (!r.manifest.secrets && r.bots.length) {
        process.stderr.write(`tfctl: this archive was made without secrets: run tfctl auth NAME for each bot (${r.bots.join(', ')})\n`);
      }
    });
}
